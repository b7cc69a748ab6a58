using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IncidentFunctions.Tests.Infra;

/// <summary>
/// Evaluates what `bicep snapshot` leaves unevaluated: ARM expressions over values only known at deployment time
/// (<c>reference(id).clientId</c>, endpoints, the App Insights connection string). Those become deterministic samples
/// derived from the referenced resource's name, so the rest of the expression (format, concat, ids) is evaluated for
/// real. Unknown functions or properties fail loudly with the expression, rather than guessing.
/// </summary>
internal static class ArmExpression
{
    public static bool IsExpression(string value) => value.StartsWith('[') && value.EndsWith(']') && !value.StartsWith("[[", StringComparison.Ordinal);

    /// <summary>The value with any expression evaluated; literal strings come back as they are.</summary>
    public static string Evaluate(string value)
    {
        if (!IsExpression(value)) return value;
        var parser = new Parser(value[1..^1]);
        var result = parser.ParseExpression();
        parser.ExpectEnd();
        return AsString(result, value);
    }

    /// <summary>A deterministic GUID for a sample identity value (same resource and property → same GUID).</summary>
    public static string SampleGuid(string resourceName, string property)
        => new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(resourceName + "|" + property)).AsSpan(0, 16)).ToString();

    private static string AsString(object? value, string expression) => value switch
    {
        string s => s,
        Reference r => r.Sample(),
        _ => throw new NotSupportedException($"'{expression}' evaluates to {value?.GetType().Name ?? "null"}, not a string."),
    };

    /// <summary>A runtime property of a resource being deployed: <c>reference(id, version).path</c>.</summary>
    private sealed record Reference(string ResourceId, string Path)
    {
        private string Name => ResourceId.TrimEnd('/').Split('/')[^1];

        public Reference Member(string name) => this with { Path = Path.Length == 0 ? name : Path + "." + name };

        public string Sample()
        {
            var last = Path.Split('.')[^1];
            if (Path.StartsWith("primaryEndpoints.", StringComparison.Ordinal))
            {
                return $"https://{Name}.{last}.core.windows.net/";
            }

            return last switch
            {
                "clientId" or "principalId" or "tenantId" => SampleGuid(Name, last),
                "ConnectionString" => $"InstrumentationKey={SampleGuid(Name, "InstrumentationKey")};IngestionEndpoint=https://{Name}.in.applicationinsights.invalid/",
                "defaultHostName" => $"{Name}.azurewebsites.net",
                "vaultUri" => $"https://{Name}.vault.azure.net/",
                _ => throw new NotSupportedException($"No sample for reference('{ResourceId}').{Path}; teach ArmExpression.Reference.Sample what it is."),
            };
        }
    }

    private sealed class Parser(string text)
    {
        private int _pos;

        public void ExpectEnd()
        {
            SkipSpace();
            if (_pos != text.Length) throw Error("unexpected text");
        }

        public object? ParseExpression()
        {
            SkipSpace();
            object? value;
            if (Peek() == '\'')
            {
                value = ParseString();
            }
            else if (char.IsDigit(Peek()) || Peek() == '-')
            {
                var start = _pos++;
                while (_pos < text.Length && char.IsDigit(text[_pos])) _pos++;
                value = text[start.._pos];
            }
            else
            {
                var name = ParseIdentifier();
                Expect('(');
                var args = new List<object?>();
                SkipSpace();
                if (Peek() != ')')
                {
                    do
                    {
                        args.Add(ParseExpression());
                        SkipSpace();
                    }
                    while (TryConsume(','));
                }

                Expect(')');
                value = Call(name, args);
            }

            while (true)
            {
                SkipSpace();
                if (TryConsume('.'))
                {
                    value = Member(value, ParseIdentifier());
                }
                else if (TryConsume('['))
                {
                    var index = ParseExpression();
                    Expect(']');
                    value = Member(value, index as string ?? throw Error("non-string index"));
                }
                else
                {
                    return value;
                }
            }
        }

        private object? Call(string name, List<object?> args) => name.ToLowerInvariant() switch
        {
            "format" => string.Format(CultureInfo.InvariantCulture, Str(args[0]), [.. args.Skip(1).Select(a => (object?)Str(a))]),
            "concat" => string.Concat(args.Select(Str)),
            "reference" => new Reference(Str(args[0]), ""),
            "guid" => SampleGuid(string.Join("|", args.Select(Str)), "guid"),
            "extensionresourceid" => $"{Str(args[0])}/providers/{Str(args[1])}/{string.Join('/', args.Skip(2).Select(Str))}",
            "resourceid" when args.Count == 4 => $"/subscriptions/{Str(args[0])}/resourceGroups/{Str(args[1])}/providers/{Str(args[2])}/{Str(args[3])}",
            "environment" => new Dictionary<string, object?> { ["suffixes"] = new Dictionary<string, object?> { ["keyvaultDns"] = ".vault.azure.net", ["storage"] = "core.windows.net" } },
            "tolower" => Str(args[0]).ToLowerInvariant(),
            _ => throw Error($"function '{name}' is not supported"),
        };

        private object? Member(object? value, string name) => value switch
        {
            Reference r => r.Member(name),
            IReadOnlyDictionary<string, object?> d when d.TryGetValue(name, out var v) => v,
            _ => throw Error($"cannot read '{name}' of {value?.GetType().Name ?? "null"}"),
        };

        private string Str(object? value) => value switch
        {
            string s => s,
            Reference r => r.Sample(),
            _ => throw Error($"expected a string, got {value?.GetType().Name ?? "null"}"),
        };

        private string ParseString()
        {
            Expect('\'');
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length) throw Error("unterminated string");
                var c = text[_pos++];
                if (c == '\'')
                {
                    if (Peek() == '\'')
                    {
                        sb.Append('\'');
                        _pos++;
                        continue;
                    }

                    return sb.ToString();
                }

                sb.Append(c);
            }
        }

        private string ParseIdentifier()
        {
            SkipSpace();
            var start = _pos;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
            if (start == _pos) throw Error("identifier expected");
            return text[start.._pos];
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private bool TryConsume(char c)
        {
            SkipSpace();
            if (Peek() != c) return false;
            _pos++;
            return true;
        }

        private void Expect(char c)
        {
            if (!TryConsume(c)) throw Error($"'{c}' expected");
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private NotSupportedException Error(string what) => new($"ARM expression [{text}]: {what} at {_pos}.");
    }
}
