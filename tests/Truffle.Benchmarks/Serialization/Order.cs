using System.Collections.Immutable;
using MessagePack;

namespace Truffle.Benchmarks.Serialization;

/// <summary>The benchmarked record, serialized by the formatter Truffle's generator writes for it.</summary>
[TruffleMessage("bench")]
public partial record Order(
    Guid Id,
    string Customer,
    string Product,
    int Quantity,
    long PriceCents,
    double WeightKg,
    bool Express,
    DateTime PlacedAt,
    ImmutableArray<string> Tags);

/// <summary>
/// <see cref="Order"/>'s twin for MessagePack-CSharp: the same members under the same string keys, which is the
/// contract Truffle's formatters follow (a map keyed by camelCase member names).
/// </summary>
[MessagePackObject]
public sealed record MessagePackOrder(
    [property: Key("id")] Guid Id,
    [property: Key("customer")] string Customer,
    [property: Key("product")] string Product,
    [property: Key("quantity")] int Quantity,
    [property: Key("priceCents")] long PriceCents,
    [property: Key("weightKg")] double WeightKg,
    [property: Key("express")] bool Express,
    [property: Key("placedAt")] DateTime PlacedAt,
    [property: Key("tags")] ImmutableArray<string> Tags)
{
    public Order ToTruffle() => new(Id, Customer, Product, Quantity, PriceCents, WeightKg, Express, PlacedAt, Tags);

    public static MessagePackOrder From(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new(order.Id, order.Customer, order.Product, order.Quantity, order.PriceCents, order.WeightKg,
            order.Express, order.PlacedAt, order.Tags);
    }
}
