using Truffle.Mesh;
using Xunit;

namespace Truffle.Tests.Mesh;

public sealed class DeviceIdentityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("truffle-identity-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_id_stays_and_the_incarnation_counts_starts()
    {
        string id;
        using (DeviceIdentity first = DeviceIdentity.Start(_directory))
        {
            id = first.DeviceId;
            Assert.Equal(1UL, first.Incarnation);
            Assert.Matches("^[0-9a-f]{32}$", id);
        }

        using DeviceIdentity second = DeviceIdentity.Start(_directory);

        Assert.Equal(id, second.DeviceId);
        Assert.Equal(2UL, second.Incarnation);
    }

    [Fact]
    public void The_term_never_goes_back_and_survives_a_restart()
    {
        using (DeviceIdentity identity = DeviceIdentity.Start(_directory))
        {
            identity.PersistTerm(7);
            identity.PersistTerm(3);
            Assert.Equal(7UL, identity.Term);
        }

        using DeviceIdentity restarted = DeviceIdentity.Start(_directory);

        Assert.Equal(7UL, restarted.Term);
    }

    [Fact]
    public void Bindings_are_kept_with_the_identity_and_a_file_from_before_them_has_none()
    {
        string path = Path.Combine(_directory, "device.json");
        File.WriteAllText(path, "{ \"deviceId\": \"0123456789abcdef0123456789abcdef\", \"incarnation\": 4, \"term\": 9 }");
        using (DeviceIdentity old = DeviceIdentity.Start(_directory))
        {
            Assert.Empty(old.Bindings);
            old.PersistBindings([new DeviceBinding("alpha", "node-a"), new DeviceBinding("beta", "node-b")]);
            old.PersistTerm(10);
        }

        using DeviceIdentity restarted = DeviceIdentity.Start(_directory);

        Assert.Equal([new DeviceBinding("alpha", "node-a"), new DeviceBinding("beta", "node-b")], restarted.Bindings);
        Assert.Equal(10UL, restarted.Term);
        Assert.Equal(6UL, restarted.Incarnation);
    }

    [Fact]
    public void A_second_node_on_a_held_directory_is_refused_until_the_first_lets_go()
    {
        DeviceIdentity first = DeviceIdentity.Start(_directory);

        var refused = Assert.Throws<TruffleException>(() => DeviceIdentity.Start(_directory));
        first.Dispose();
        using DeviceIdentity second = DeviceIdentity.Start(_directory);

        Assert.Contains("in use by another running node", refused.Message, StringComparison.Ordinal);
        Assert.Equal(first.DeviceId, second.DeviceId);
        Assert.Equal(2UL, second.Incarnation); // the refused start counted nothing
    }

    [Fact]
    public void A_damaged_identity_file_is_refused_and_left_as_it_is()
    {
        string path = Path.Combine(_directory, "device.json");
        File.WriteAllText(path, "{ \"deviceId\": \"not hex\" }");

        var damaged = Assert.Throws<TruffleException>(() => DeviceIdentity.Start(_directory));
        using DeviceIdentity afterFix = Fixed(path);

        Assert.Contains(path, damaged.Message, StringComparison.Ordinal);
        Assert.Equal(1UL, afterFix.Incarnation);
    }

    /// <summary>Deletes the damaged file as the message says, which also proves the failed start released the lock.</summary>
    private DeviceIdentity Fixed(string path)
    {
        Assert.Equal("{ \"deviceId\": \"not hex\" }", File.ReadAllText(path));
        File.Delete(path);
        return DeviceIdentity.Start(_directory);
    }
}
