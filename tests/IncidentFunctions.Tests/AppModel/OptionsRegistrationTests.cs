using System.ComponentModel.DataAnnotations;
using IncidentFunctions.AppModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.AppModel;

/// <summary>Generated attribute validation registered with the section, and its messages naming the app setting.</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class OptionsRegistrationTests
{
    public sealed class SampleOptions
    {
        [Range(1, 10)]
        public int Count { get; set; } = 1;

        [Required(ErrorMessage = "Set 'Sample__Area__Name' to the name.")]
        public string Name { get; set; } = "n";

        [ValidateObjectMembers]
        public SampleInner Inner { get; set; } = new();

        public List<SampleItem> Items { get; set; } = [];

        public List<string> Names { get; set; } = [];
    }

    public sealed class SampleInner
    {
        [Range(typeof(TimeSpan), "00:00:00", "01:00:00", MinimumIsExclusive = true, ParseLimitsInInvariantCulture = true)]
        public TimeSpan Span { get; set; } = TimeSpan.FromMinutes(1);
    }

    public sealed class SampleItem
    {
        public TimeSpan Span { get; set; }
    }

    private sealed class NoCrossFieldChecks : IValidateOptions<SampleOptions>
    {
        public ValidateOptionsResult Validate(string? name, SampleOptions options) => ValidateOptionsResult.Success;
    }

    private static OptionsValidationException? Failure(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection()
            .AddValidatedOptions<SampleOptions, SampleOptionsAttributes, NoCrossFieldChecks>(configuration, "Sample:Area")
            .Services.BuildServiceProvider();
        return Record.Exception(() => services.GetRequiredService<IOptions<SampleOptions>>().Value) as OptionsValidationException;
    }

    [Fact]
    public void AddValidatedOptions_RangesBroken_NameTheAppSettingOfEachIncludingNestedOnes()
    {
        var error = Failure(new() { ["Sample:Area:Count"] = "11", ["Sample:Area:Inner:Span"] = "00:00:00" });

        Assert.NotNull(error);
        Assert.Equal(
            ["The field Sample:Area:Count (app setting Sample__Area__Count) must be between 1 and 10.", "The field Sample:Area:Inner:Span (app setting Sample__Area__Inner__Span) must be between 00:00:00 exclusive and 01:00:00."],
            error.Failures);
    }

    [Fact]
    public void AddValidatedOptions_ListItemBindingLeavesOut_NamesTheSetting()
    {
        var error = Failure(new() { ["Sample:Area:Items:0:Span"] = "soon", ["Sample:Area:Items:1:Span"] = "00:05:00", ["Sample:Area:Names:0"] = "any text binds" });

        Assert.NotNull(error);
        Assert.Equal(["Sample:Area:Items:0 is left out, as setting 'Sample:Area:Items:0:Span' must be a duration like 00:05:00 (hh:mm:ss, or d.hh:mm:ss)."], error.Failures);
    }

    [Fact]
    public void AddValidatedOptions_AttributeWithItsOwnMessage_KeepsIt()
    {
        var error = Failure(new() { ["Sample:Area:Name"] = " " });

        Assert.Equal(["Set 'Sample__Area__Name' to the name."], error?.Failures);
    }

    [Fact]
    public void AddValidatedOptions_ValidSettings_PassBothValidators()
        => Assert.Null(Failure(new() { ["Sample:Area:Count"] = "10", ["Sample:Area:Inner:Span"] = "01:00:00" }));

    [Theory]
    [InlineData("Count: The field Sample:Area.Count must be between 1 and 10.", "The field Sample:Area:Count (app setting Sample__Area__Count) must be between 1 and 10.")]
    [InlineData("Span: The field Sample:Area.Inner.Span is bad; Sample:Area.Inner.Span again.", "The field Sample:Area:Inner:Span (app setting Sample__Area__Inner__Span) is bad; Sample:Area:Inner:Span (app setting Sample__Area__Inner__Span) again.")]
    [InlineData("Not a member list: Sample:AreaX.Count stays.", "Not a member list: Sample:AreaX.Count stays.")]
    public void Rewrite_GeneratedMessage_NamesTheSetting(string generated, string expected)
        => Assert.Equal(expected, new SettingNamedValidator<SampleOptions>(new SampleOptionsAttributes(), "Sample:Area").Rewrite(generated));
}

[OptionsValidator]
internal sealed partial class SampleOptionsAttributes : IValidateOptions<OptionsRegistrationTests.SampleOptions>;
