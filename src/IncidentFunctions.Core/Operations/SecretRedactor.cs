using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace IncidentFunctions.Operations;

/// <summary>A configuration key whose value is a secret; <c>*</c> stands for one path segment (<c>Reports:SigningKeys:*</c>).</summary>
public sealed record SecretSetting(string KeyPattern);

/// <summary>
/// Removes secrets from text bound for logs: the values of every <see cref="SecretSetting"/> (tokens, signing keys,
/// webhook URLs and their paths, function keys, storage account keys), secrets added at run time (a generated function
/// key), and secret-shaped parts of any text: the values of query parameters like <c>code</c>, <c>sig</c> or
/// <c>token</c>, of <c>x-functions-key</c>-style headers and of <c>AccountKey=</c>. A value shorter than
/// <see cref="MinSecretLength"/> is left alone: it would redact ordinary words, and no real secret is that short.
/// </summary>
public sealed partial class SecretRedactor
{
    public const string Mask = "[redacted]";
    public const int MinSecretLength = 8;

    private readonly IConfiguration? _configuration;
    private readonly IReadOnlyList<SecretSetting> _settings;
    private readonly HashSet<string> _added = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private string[] _secrets = [];
    private volatile bool _stale = true;

    public SecretRedactor(IEnumerable<SecretSetting> settings, IConfiguration? configuration = null)
    {
        _settings = settings.ToList();
        _configuration = configuration;
        if (configuration is not null)
        {
            // Settings reloaded from a file: read the secrets again at the next use.
            ChangeToken.OnChange(configuration.GetReloadToken, () => _stale = true);
        }
    }

    /// <summary>Adds a secret known only at run time (e.g. a generated key).</summary>
    public void AddSecret(string secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < MinSecretLength) return;
        lock (_gate)
        {
            _added.Add(secret);
            _stale = true;
        }
    }

    /// <summary><paramref name="text"/> with every secret replaced by <see cref="Mask"/>; the same instance when it holds none.</summary>
    public string Redact(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        var result = text;
        foreach (var secret in Secrets())
        {
            if (result.Contains(secret, StringComparison.Ordinal)) result = result.Replace(secret, Mask, StringComparison.Ordinal);
        }

        if (SecretShaped().IsMatch(result)) result = SecretShaped().Replace(result, Mask);
        return result;
    }

    /// <summary>Longest first, so a URL goes before its own path.</summary>
    private string[] Secrets()
    {
        if (!_stale) return _secrets;
        lock (_gate)
        {
            if (!_stale) return _secrets;
            var values = new HashSet<string>(_added, StringComparer.Ordinal);
            if (_configuration is not null)
            {
                foreach (var (key, value) in _configuration.AsEnumerable())
                {
                    if (string.IsNullOrEmpty(value) || !_settings.Any(s => Matches(s.KeyPattern, key))) continue;
                    values.Add(value);
                    // A webhook URL's path is the secret part; logs that print only the path must not show it either.
                    if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.PathAndQuery.Length >= MinSecretLength) values.Add(uri.PathAndQuery);
                }
            }

            _secrets = [.. values.Where(v => v.Length >= MinSecretLength).OrderByDescending(v => v.Length)];
            _stale = false;
            return _secrets;
        }
    }

    private static bool Matches(string pattern, string key)
    {
        var p = pattern.Split(':');
        var k = key.Split(':');
        if (p.Length != k.Length) return false;
        for (var i = 0; i < p.Length; i++)
        {
            if (p[i] != "*" && !string.Equals(p[i], k[i], StringComparison.OrdinalIgnoreCase)) return false;
        }

        return true;
    }

    /// <summary>
    /// Values that are secret by their place: query parameters (<c>?code=</c> function keys, <c>sig=</c> of signed links and
    /// SAS tokens, <c>token=</c>, <c>license_key=</c>…), key headers as loggers print them (<c>x-functions-key: …</c>) and
    /// storage account keys in connection strings.
    /// </summary>
    [GeneratedRegex(
        """(?<=[?&;](?:code|sig|signature|token|access_token|api_key|apikey|key|license_key|secret|client_secret|password)=)[^&#\s"'<>]+"""
        + """|(?<=\b(?:x-functions-key|x-wallarmapi-token|authorization|x-hub-signature-256|x-signature)\s*[:=]\s*(?:bearer\s+|basic\s+)?)[^\s,;"']+"""
        + """|(?<=\bAccountKey=)[^;"'\s]+""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretShaped();
}
