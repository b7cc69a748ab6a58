using Azure;
using IncidentFunctions.AppModel;
using Polly.Timeout;

namespace IncidentFunctions.Tests.AppModel;

[Trait("Category", TestCategories.Unit)]
public sealed class FailureTextTests
{
    [Fact]
    public void Describe_AzureRetriesOfARefusedConnection_NamesTheAttemptsAndTheLastCause()
    {
        // What the storage SDK throws when nothing listens: its retry wrapper around status-less failures.
        static RequestFailedException Refused() => new(0, "Connection refused (127.0.0.1:2)", new HttpRequestException("Connection refused (127.0.0.1:2)"));
        var ex = new AggregateException("Retry failed after 3 tries. Retry settings can be adjusted in ClientOptions.Retry.", Refused(), Refused(), Refused());

        Assert.Equal("3 attempts failed, the last: HttpRequestException: Connection refused (127.0.0.1:2)", FailureText.Describe(ex));
    }

    [Theory]
    [InlineData(403, "AuthorizationPermissionMismatch", "answered 403 (AuthorizationPermissionMismatch)")]
    [InlineData(503, null, "answered 503")]
    public void Describe_ServiceAnswer_IsTheStatusAndErrorCode(int status, string? code, string expected)
    {
        var ex = new RequestFailedException(status, "Service request failed.\nStatus: 403\nHeaders:\nx-ms-request-id: 1", code, null);

        Assert.Equal(expected, FailureText.Describe(ex));
    }

    [Fact]
    public void Describe_Timeout_SaysHowLong()
    {
        Assert.Equal("timed out after 00:00:30", FailureText.Describe(new TimeoutRejectedException(TimeSpan.FromSeconds(30))));
    }

    [Theory]
    [InlineData("line one\r\n  line two\n", "IOException: line one line two")]
    [InlineData("", "IOException: ")]
    public void Describe_ExceptionMessage_IsOneLine(string message, string expected)
    {
        Assert.Equal(expected, FailureText.Describe(new IOException(message)));
    }

    [Fact]
    public void Describe_LongMessage_IsCutAtTheBound()
    {
        var described = FailureText.Describe(new IOException(new string('x', 5000)));

        Assert.Equal(FailureText.MaxChars + 1, described.Length);
        Assert.EndsWith("x…", described, StringComparison.Ordinal);
    }
}
