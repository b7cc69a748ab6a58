using IncidentFunctions.Storage;

namespace IncidentFunctions.Tests.Storage;

[Trait("Category", TestCategories.Unit)]
public sealed class StorageOptionsValidatorTests
{
    /// <summary>A well-formed account key made of a byte range at run time: no key-shaped literal in the repository.</summary>
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 64).Select(i => (byte)i).ToArray());

    public static TheoryData<string> Usable => new()
    {
        "UseDevelopmentStorage=true",
        $"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={Key};EndpointSuffix=core.windows.net",
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:2/devstoreaccount1;TableEndpoint=http://127.0.0.1:3/devstoreaccount1;",
    };

    public static TheoryData<string> Unusable => new()
    {
        "secret-without-a-keyword",
        $"AccountKey={Key}",
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=not base64 at all!;EndpointSuffix=core.windows.net",
    };

    [Theory]
    [MemberData(nameof(Usable))]
    public void Validate_UsableConnectionString_Passes(string connectionString)
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { ConnectionString = connectionString });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [MemberData(nameof(Unusable))]
    public void Validate_UnusableConnectionString_FailsNamingTheSettingNotItsValue(string connectionString)
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { ConnectionString = connectionString });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Storage:ConnectionString (app setting Storage__ConnectionString) is not a storage connection string", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", failure, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, failure, StringComparison.Ordinal);
        Assert.DoesNotContain("base64 at all", failure, StringComparison.Ordinal);
    }
}
