using Azure;
using IncidentFunctions.Incidents;
using IncidentFunctions.Wallarm;

namespace IncidentFunctions.Tests.Incidents;

[Trait("Category", TestCategories.Unit)]
public sealed class IngestionFailureTests
{
    [Fact]
    public void Describe_StorageUnreachable_SaysStorageAndTheLastAttemptWithoutTheSdksAdvice()
    {
        static RequestFailedException Refused() => new(0, "Connection refused (127.0.0.1:2)", new HttpRequestException("Connection refused (127.0.0.1:2)"));
        var outage = new AggregateException("Retry failed after 2 tries. Retry settings can be adjusted in ClientOptions.Retry.", Refused(), Refused());

        var (reason, setting) = IngestionFailure.Describe(outage);

        Assert.Equal("Storage: 2 attempts failed, the last: HttpRequestException: Connection refused (127.0.0.1:2)", reason);
        Assert.Null(setting);
    }

    [Fact]
    public void Describe_StorageAnswerWithHeaders_IsTheStatusAndCodeOnly()
    {
        var busy = new RequestFailedException(503, "The server is busy.\nStatus: 503\n\nHeaders:\nx-ms-request-id: 7f1c", "ServerBusy", null);

        Assert.Equal("Storage: answered 503 (ServerBusy)", IngestionFailure.Describe(busy).Reason);
    }

    [Fact]
    public void Describe_WallarmRefusesTheToken_KeepsItsWholeAdviceAndNamesTheSetting()
    {
        var refused = new WallarmAuthenticationException(401, "/v1/objects/attack");

        var (reason, setting) = IngestionFailure.Describe(refused);

        Assert.Equal("WallarmAuthenticationException: " + refused.Message, reason);
        Assert.Equal("Wallarm__ApiToken", setting);
    }
}
