using Azure;
using IncidentFunctions.Storage;

namespace IncidentFunctions.Tests.Storage;

[Trait("Category", TestCategories.Unit)]
public sealed class StorageFailureTests
{
    public static TheoryData<Exception> Outages => new()
    {
        new RequestFailedException(403, "This request is not authorized.", "AuthorizationPermissionMismatch", null),
        new AggregateException("Retry failed after 4 tries.", new RequestFailedException("Connection refused"), new RequestFailedException("Connection refused")),
        new Azure.Identity.AuthenticationFailedException("ManagedIdentityCredential authentication unavailable."),
    };

    public static TheoryData<Exception> OtherFailures => new()
    {
        new IOException("The blob's stream ended early."),
        new System.Text.Json.JsonException("'n' is an invalid start of a value."),
        new AggregateException(new RequestFailedException("Connection refused"), new InvalidOperationException("a bug")),
    };

    [Theory]
    [MemberData(nameof(Outages))]
    public void StackFor_StorageUnavailable_IsNone(Exception outage)
    {
        Assert.Null(StorageFailure.StackFor(outage));
    }

    [Theory]
    [MemberData(nameof(OtherFailures))]
    public void StackFor_AnyOtherFailure_IsTheException(Exception failure)
    {
        Assert.Same(failure, StorageFailure.StackFor(failure));
    }
}
