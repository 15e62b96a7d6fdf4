using Microsoft.Extensions.DependencyInjection;
using Truffle.Hosting.Tests.Support;
using Xunit;

namespace Truffle.Hosting.Tests;

public sealed class TruffleBuilderTests
{
    private static readonly TruffleOptions Options = new() { AppId = "builder" };

    [Fact]
    public void A_second_handler_for_one_request_type_is_refused_when_it_is_registered()
    {
        TruffleBuilder truffle = new ServiceCollection().AddTruffle(Options).AddRequestHandler<GetNote, Note, NoteHandler>();

        var error = Assert.Throws<InvalidOperationException>(() => truffle.AddRequestHandler<GetNote, Note, OtherNoteHandler>());

        Assert.Equal(
            "NoteHandler already answers hosting/get-note; a node answers each request type with one handler, so OtherNoteHandler cannot be added.",
            error.Message);
    }

    [Fact]
    public void A_host_runs_one_node()
    {
        var services = new ServiceCollection();
        services.AddTruffle(Options);

        var error = Assert.Throws<InvalidOperationException>(() => services.AddTruffle(Options));

        Assert.StartsWith("AddTruffle was called already", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Handler_classes_are_scoped_unless_the_app_registered_them_otherwise()
    {
        var services = new ServiceCollection();
        services.AddSingleton<NoteHandler>();

        services.AddTruffle(Options).AddHandler<Greeting, GreetingHandler>().AddHandler<Greeting, GreetingHandler>().AddRequestHandler<GetNote, Note, NoteHandler>();

        Assert.Equal(ServiceLifetime.Scoped, services.Single(d => d.ServiceType == typeof(GreetingHandler)).Lifetime);
        Assert.Equal(ServiceLifetime.Singleton, services.Single(d => d.ServiceType == typeof(NoteHandler)).Lifetime);
    }

    private sealed class OtherNoteHandler : ITruffleRequestHandler<GetNote, Note>
    {
        public ValueTask<Note> HandleAsync(GetNote request, MessageContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new Note(request.Id, "other", string.Empty));
    }
}
