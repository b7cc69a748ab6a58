using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.Operations;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Http;

/// <summary>
/// The keys <c>Function</c>-level routes accept, checked like the Functions host: header <c>x-functions-key</c> or
/// query parameter <c>code</c>. Without configured keys, the key in <see cref="LocalRunnerOptions.FunctionKeyFile"/>
/// is used, generated (and the file created, readable by its owner only) on first use; it is never logged, and the log
/// redaction knows it.
/// </summary>
internal sealed class FunctionKeys
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";

    /// <summary>A key written by hand into the file must be at least this long.</summary>
    private const int MinFileKeyLength = 16;

    private readonly byte[][] _keyHashes;

    public FunctionKeys(IOptions<LocalRunnerOptions> options, SecretRedactor? redactor = null)
    {
        var keys = options.Value.FunctionKeys.Where(k => !string.IsNullOrWhiteSpace(k)).ToArray();
        if (keys.Length == 0)
        {
            KeyFile = options.Value.ResolveFunctionKeyFile();
            GeneratedKey = LoadOrCreate(KeyFile);
            redactor?.AddSecret(GeneratedKey);
            keys = [GeneratedKey];
        }

        _keyHashes = [.. keys.Select(Hash)];
    }

    /// <summary>The key from <see cref="KeyFile"/> when none was configured; <see langword="null"/> otherwise.</summary>
    public string? GeneratedKey { get; }

    /// <summary>Where <see cref="GeneratedKey"/> is kept; <see langword="null"/> when keys are configured.</summary>
    public string? KeyFile { get; }

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

    /// <summary>
    /// Reads the key file, or creates it with a new key. Creation is exclusive, so runners started together agree on
    /// one key; a file that is still being written by another runner is read again shortly.
    /// </summary>
    private static string LoadOrCreate(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        for (var attempt = 0; attempt < 40; attempt++)
        {
            if (File.Exists(path))
            {
                var existing = File.ReadAllText(path).Trim();
                if (existing.Length >= MinFileKeyLength) return existing;
                Thread.Sleep(50);
                continue;
            }

            var key = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            try
            {
                var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using (var stream = new FileStream(path, create))
                {
                    stream.Write(Encoding.ASCII.GetBytes(key + "\n"));
                }

                return key;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another runner created it first: use its key.
            }
        }

        throw new OptionsValidationException(nameof(LocalRunnerOptions), typeof(LocalRunnerOptions),
            [$"LocalRunner:FunctionKeyFile {path} holds no key of at least {MinFileKeyLength} characters; delete it to get a new one, or set LocalRunner:FunctionKeys."]);
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
