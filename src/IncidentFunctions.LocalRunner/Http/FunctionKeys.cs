using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using IncidentFunctions.LocalRunner.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Http;

/// <summary>
/// The keys <c>Function</c>-level routes accept, checked like the Functions host: header <c>x-functions-key</c> or
/// query parameter <c>code</c>. Without configured keys, one random key is generated for the life of the process.
/// </summary>
internal sealed class FunctionKeys
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";

    private readonly byte[][] _keyHashes;

    public FunctionKeys(IOptions<LocalRunnerOptions> options)
    {
        var keys = options.Value.FunctionKeys.Where(k => !string.IsNullOrWhiteSpace(k)).ToArray();
        if (keys.Length == 0)
        {
            GeneratedKey = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            keys = [GeneratedKey];
        }

        _keyHashes = [.. keys.Select(Hash)];
    }

    /// <summary>The key made up at start because none was configured; <see langword="null"/> otherwise.</summary>
    public string? GeneratedKey { get; }

    public bool IsAuthorized(HttpRequest request)
    {
        var presented = request.Headers[HeaderName].FirstOrDefault(v => !string.IsNullOrEmpty(v))
            ?? request.Query[QueryName].FirstOrDefault(v => !string.IsNullOrEmpty(v));
        if (presented is null) return false;

        // Hashes have one length, so the comparison time says nothing about a key's length or prefix;
        // every key is compared so it says nothing about which one matched either.
        var hash = Hash(presented);
        var match = false;
        foreach (var key in _keyHashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(hash, key);
        }

        return match;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
