namespace IncidentFunctions.Channels;

/// <summary>The secret and exact body a generic delivery is signed with; travels with the request through the pipeline.</summary>
internal sealed record WebhookSignature(string Secret, string Body);

/// <summary>
/// Signs each attempt of a generic webhook POST as it leaves, inside the retry loop: a retry carries a fresh
/// timestamp and the signature over it, so a receiver that rejects timestamps older than
/// <see cref="WebhookSigner.Tolerance"/> accepts a retry sent minutes after the first attempt.
/// </summary>
internal sealed class WebhookSigningHandler(TimeProvider time) : DelegatingHandler
{
    internal static readonly HttpRequestOptionsKey<WebhookSignature> SignatureKey = new("IncidentFunctions.WebhookSignature");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(SignatureKey, out var signature))
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.Remove(WebhookSigner.TimestampHeader);
            request.Headers.Remove(WebhookSigner.SignatureHeader);
            request.Headers.Add(WebhookSigner.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSigner.SignatureHeader, WebhookSigner.Sign(signature.Secret, timestamp, signature.Body));
        }

        return base.SendAsync(request, cancellationToken);
    }
}
