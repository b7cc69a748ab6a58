using IncidentFunctions.AppModel;
using IncidentFunctions.Channels;
using Microsoft.Extensions.Configuration;

namespace IncidentFunctions.Tests.AppModel;

[Trait("Category", TestCategories.Unit)]
public sealed class ReadableListItemsTests
{
    private static readonly IConfiguration Settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Digest:Channels:0:Name"] = "soc",
        ["Digest:Channels:0:Kind"] = "Carrier",
        ["Digest:Channels:0:Url"] = "https://hooks.example.test/FAKE",
        ["Digest:Channels:1:Name"] = "team",
        ["Digest:Channels:1:Kind"] = "Teams",
        ["Digest:Channels:1:Url"] = "https://hooks.example.test/FAKE-2",
        ["Digest:Channels:2:Name"] = "mail",
        ["Digest:Channels:2:Kind"] = "Email",
        ["Digest:Channels:2:Email:Port"] = "twenty-five",
    }).Build();

    [Fact]
    public void Validate_ItemsBindingLeavesOut_FailNamingTheSetting()
    {
        // Why the check exists: binding the whole list drops the unreadable items without a word.
        Assert.Equal(["team"], Settings.GetSection("Digest").Get<DeliveryOptions>()!.Channels.Select(c => c.Name));

        var result = new ReadableListItems<DeliveryOptions>(Settings.GetSection("Digest")).Validate(null, new DeliveryOptions());

        Assert.Equal(
            [
                "Digest:Channels:0 is left out, as setting 'Digest:Channels:0:Kind' must be one of Slack, Teams, Discord, Generic, Email.",
                "Digest:Channels:2 is left out, as setting 'Digest:Channels:2:Email:Port' must be a whole number.",
            ],
            result.Failures);
    }

    [Fact]
    public void Validate_EveryItemReadable_Passes()
    {
        var readable = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Digest:Channels:0:Kind"] = "discord" }).Build();

        Assert.True(new ReadableListItems<DeliveryOptions>(readable.GetSection("Digest")).Validate(null, new DeliveryOptions()).Succeeded);
    }
}
