using System.Collections;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Operations;

/// <summary>
/// Wraps the host's logger factory so every log record, from the app or the framework (ASP.NET Core's request lines,
/// HttpClient logging, the SDKs), passes <see cref="SecretRedactor"/> before any provider sees it: the console, the
/// Functions host, OpenTelemetry and test collectors alike, at every level. A record without secrets goes through
/// untouched; one with secrets gets a redacted message and redacted structured values, and an exception whose text holds
/// a secret is replaced by one with the redacted text.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner, SecretRedactor redactor) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), redactor);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>Nothing: the container built the inner factory and disposes it.</summary>
    public void Dispose()
    {
    }

    private sealed class RedactingLogger(ILogger inner, SecretRedactor redactor) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            var text = state.ToString() ?? "";
            var redacted = redactor.Redact(text);
            return ReferenceEquals(text, redacted) ? inner.BeginScope(state) : inner.BeginScope(new RedactedState(Redact(state as IReadOnlyList<KeyValuePair<string, object?>>), redacted));
        }

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel)) return;
            var message = formatter(state, null);
            var redactedMessage = redactor.Redact(message);
            var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
            var redactedValues = Redact(values);
            var redactedException = exception is null ? null : RedactedException.For(exception, redactor);
            if (ReferenceEquals(message, redactedMessage) && ReferenceEquals(values, redactedValues) && ReferenceEquals(exception, redactedException))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            inner.Log(logLevel, eventId, new RedactedState(redactedValues, redactedMessage), redactedException, static (s, _) => s.Message);
        }

        /// <summary>The same list when no value holds a secret; a copy with redacted values otherwise.</summary>
        private IReadOnlyList<KeyValuePair<string, object?>>? Redact(IReadOnlyList<KeyValuePair<string, object?>>? values)
        {
            if (values is null) return null;
            List<KeyValuePair<string, object?>>? copy = null;
            for (var i = 0; i < values.Count; i++)
            {
                var (key, value) = values[i];
                object? redacted = value;
                if (key != "{OriginalFormat}" && value is not null && !IsPlain(value))
                {
                    var text = value as string ?? value.ToString() ?? "";
                    var clean = redactor.Redact(text);
                    if (!ReferenceEquals(text, clean)) redacted = clean;
                }

                if (copy is null && !ReferenceEquals(redacted, value)) copy = [.. values.Take(i)];
                copy?.Add(new(key, redacted));
            }

            return copy ?? values;
        }

        /// <summary>Values whose text cannot hold a secret.</summary>
        private static bool IsPlain(object value)
            => value is bool or int or long or short or byte or uint or ulong or double or float or decimal
                or DateTime or DateTimeOffset or TimeSpan or Guid or Enum;
    }

    /// <summary>A redacted record: its values for structured providers, its message for text ones.</summary>
    private sealed class RedactedState(IReadOnlyList<KeyValuePair<string, object?>>? values, string message) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly IReadOnlyList<KeyValuePair<string, object?>> _values = values ?? [];

        public string Message => message;

        public int Count => _values.Count;

        public KeyValuePair<string, object?> this[int index] => _values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }
}

/// <summary>Stands in for a logged exception whose message or stack held a secret: same type name and text, redacted.</summary>
public sealed class RedactedException : Exception
{
    private readonly string _text;

    public RedactedException()
        : this("", "")
    {
    }

    public RedactedException(string message)
        : this(message, message)
    {
    }

    public RedactedException(string message, Exception innerException)
        : base(message, innerException)
    {
        _text = message;
    }

    private RedactedException(string message, string text)
        : base(message)
    {
        _text = text;
    }

    /// <summary>The original type's full name.</summary>
    public string? OriginalType { get; private init; }

    /// <summary><paramref name="exception"/> itself when its text holds no secret; otherwise a redacted stand-in.</summary>
    public static Exception For(Exception exception, SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(redactor);
        var text = exception.ToString();
        var redacted = redactor.Redact(text);
        if (ReferenceEquals(text, redacted)) return exception;
        return new RedactedException(redactor.Redact(exception.Message), redacted) { OriginalType = exception.GetType().FullName };
    }

    public override string ToString() => _text;
}
