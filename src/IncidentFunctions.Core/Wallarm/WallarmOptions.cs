using System.ComponentModel.DataAnnotations;

namespace IncidentFunctions.Wallarm;

/// <summary>How the client walks through a result set.</summary>
public enum WallarmPaging
{
    /// <summary><c>POST /v1/objects/attack</c> with <c>offset</c>/<c>limit</c>.</summary>
    Offset,

    /// <summary><c>POST /v2/objects/attack</c> with <c>paging: true</c> and the returned <c>cursor</c>.</summary>
    Cursor,
}

/// <summary>Connection to the Wallarm API. Bound from the <c>Wallarm</c> section.</summary>
public sealed class WallarmOptions
{
    public const string SectionName = "Wallarm";

    /// <summary><c>US</c>, <c>EU</c>, or an absolute API URL (for example a proxy or the simulator).</summary>
    public string Cloud { get; set; } = "EU";

    /// <summary>API token sent as <c>X-WallarmAPI-Token</c>. A secret: never logged.</summary>
    [Required(ErrorMessage = "Wallarm:ApiToken is empty. Set the app setting 'Wallarm__ApiToken' to a Wallarm API token with read access to attacks and vulnerabilities.")]
    public string ApiToken { get; set; } = "";

    /// <summary>Tenant id (<c>clientid</c>); discovered once through <c>POST /v1/user</c> when not set.</summary>
    public int? ClientId { get; set; }

    /// <summary>Console base URL for links; derived from <see cref="Cloud"/> for US and EU.</summary>
    public Uri? ConsoleUrl { get; set; }

    public WallarmPaging Paging { get; set; } = WallarmPaging.Offset;

    /// <summary>Records per page (the API caps reads at 1,000; cursor pages are 100).</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 100;

    /// <summary>Compare each window's page total with <c>/v1/objects/attack/count</c> to catch silently short pages.</summary>
    public bool VerifyCounts { get; set; } = true;

    [Range(0, 20)]
    public int MaxRetries { get; set; } = 6;

    /// <summary>First retry delay; later ones grow exponentially. A <c>Retry-After</c> header wins.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between two retries, including one asked for by <c>Retry-After</c>.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one request including all its retries.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(3);

    public const string UsApi = "https://us1.api.wallarm.com/";
    public const string EuApi = "https://api.wallarm.com/";

    /// <summary>The API base address for <see cref="Cloud"/>, or null when it names nothing usable.</summary>
    public Uri? ResolveApiBaseAddress()
    {
        var cloud = Cloud.Trim();
        if (cloud.Equals("US", StringComparison.OrdinalIgnoreCase)) return new Uri(UsApi);
        if (cloud.Equals("EU", StringComparison.OrdinalIgnoreCase)) return new Uri(EuApi);
        if (Uri.TryCreate(cloud, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
        }

        return null;
    }

    /// <summary>The Console base address used for links in reports and chat, when known.</summary>
    public Uri? ResolveConsoleAddress()
    {
        if (ConsoleUrl is not null) return ConsoleUrl;
        var cloud = Cloud.Trim();
        if (cloud.Equals("US", StringComparison.OrdinalIgnoreCase)) return new Uri("https://us1.my.wallarm.com/");
        if (cloud.Equals("EU", StringComparison.OrdinalIgnoreCase)) return new Uri("https://my.wallarm.com/");
        return null;
    }
}
