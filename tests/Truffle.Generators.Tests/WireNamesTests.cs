using Truffle.Generators.Parsing;
using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>The wire's naming rules: kebab-case types, camelCase keys, PascalCase APIs, and what a name may be.</summary>
public sealed class WireNamesTests
{
    [Theory]
    [InlineData("ChatMessage", "chat-message")]
    [InlineData("HTTPRequest", "http-request")]
    [InlineData("Typing", "typing")]
    [InlineData("IOStream", "io-stream")]
    [InlineData("Item2Count", "item2-count")]
    [InlineData("My_Type", "my-type")]
    [InlineData("_Hidden", "hidden")]
    [InlineData("Trailing_", "trailing")]
    [InlineData("A", "a")]
    [InlineData("ABC", "abc")]
    [InlineData("GetURLsForID", "get-urls-for-id")]
    [InlineData("IDs", "ids")]
    [InlineData("ASet", "a-set")]
    [InlineData("V2", "v2")]
    [InlineData("already-kebab", "already-kebab")]
    public void Kebab_case_of_a_type_name(string name, string expected) =>
        Assert.Equal(expected, WireNames.ToKebabCase(name));

    [Theory]
    [InlineData("OpenFiles", "openFiles")]
    [InlineData("ID", "id")]
    [InlineData("URLValue", "urlValue")]
    [InlineData("X", "x")]
    [InlineData("Url", "url")]
    [InlineData("URL", "url")]
    [InlineData("IOStream", "ioStream")]
    [InlineData("alreadyCamel", "alreadyCamel")]
    [InlineData("_private", "_private")]
    [InlineData("", "")]
    public void Camel_case_of_a_member_name(string name, string expected) =>
        Assert.Equal(expected, WireNames.ToCamelCase(name));

    [Theory]
    [InlineData("chat", "Chat")]
    [InlineData("file-sync", "FileSync")]
    [InlineData("a-b-c", "ABC")]
    [InlineData("x9-y", "X9Y")]
    [InlineData("v2", "V2")]
    public void Pascal_case_of_a_wire_namespace(string wireName, string expected) =>
        Assert.Equal(expected, WireNames.ToPascalCase(wireName));

    [Theory]
    [InlineData("chat")]
    [InlineData("file-sync")]
    [InlineData("a")]
    [InlineData("x9")]
    [InlineData("a-b-c")]
    public void Valid_wire_names(string name) => Assert.Null(WireNames.Validate(name));

    [Fact]
    public void Sixty_three_characters_is_the_longest_valid_name()
    {
        Assert.Null(WireNames.Validate(new string('a', 63)));
        Assert.Equal("is longer than 63 characters", WireNames.Validate(new string('a', 64)));
    }

    [Theory]
    [InlineData(null, "is empty")]
    [InlineData("", "is empty")]
    [InlineData("Chat", "must start with a lowercase ASCII letter")]
    [InlineData("9x", "must start with a lowercase ASCII letter")]
    [InlineData("-x", "must start with a lowercase ASCII letter")]
    [InlineData("a_b", "contains '_'")]
    [InlineData("aB", "contains 'B'")]
    [InlineData("a.b", "contains '.'")]
    [InlineData("caf\u00e9", "contains '\u00e9'")]
    [InlineData("chat-", "may not end with '-' or contain '--'")]
    [InlineData("a--b", "may not end with '-' or contain '--'")]
    public void Invalid_wire_names_say_why(string? name, string reason) =>
        Assert.StartsWith(reason, WireNames.Validate(name), StringComparison.Ordinal);

    [Theory]
    [InlineData("truffle", true)]
    [InlineData("mesh", true)]
    [InlineData("sync", true)]
    [InlineData("chat", false)]
    [InlineData("truffles", false)]
    public void Reserved_namespaces(string name, bool reserved) => Assert.Equal(reserved, WireNames.IsReserved(name));
}
