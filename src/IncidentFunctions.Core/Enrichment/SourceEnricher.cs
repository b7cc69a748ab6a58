using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment.Intel;
using IncidentFunctions.Incidents;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Enrichment;

public enum EnrichmentOutcome
{
    Enriched,

    /// <summary>The message was malformed and now sits in the poison queue.</summary>
    Poisoned,
}

/// <summary>What one message did: its outcome and, when enriched, the incidents whose sources are now stored.</summary>
public sealed record EnrichmentResult(EnrichmentOutcome Outcome, long TenantId, IReadOnlyList<EnrichmentIncidentRef> Incidents)
{
    public static EnrichmentResult Poisoned { get; } = new(EnrichmentOutcome.Poisoned, 0, []);
}

/// <summary>
/// The <c>EnrichSources</c> job: one enrichment queue message in, the enriched sources of every report day it names
/// out. Profiles come from the per-IP cache (or the intel index, once per TTL); Tor status is judged per source against
/// its incidents' time; each day's rows go to that day's partition of the sources table with the attribution lines the
/// data's licences require. Upserts of deterministic rows, so a redelivered message writes the same result again.
/// <para>
/// Design: enrichment is stored per report day in the sources table, never on incident rows. A report reads a day's
/// IPs in one partition query and joins them to incidents in memory, and because enrichment never rewrites incident
/// rows it cannot race ingestion's upserts (no ETag dance, nothing an overlapping pull could lose).
/// </para>
/// <para>
/// Failures: a malformed message (<see cref="EnrichmentRequestSerializer.Decode"/> throws <see cref="FormatException"/>:
/// neither UTF-8 JSON nor gzip of it, inflating past its bound, not a version-1 request) is sent to <c>&lt;queue&gt;-poison</c> here, with its original bytes, and the call
/// returns normally, so the Functions host and the local runner behave the same and no retry is wasted on it. Anything
/// else (storage, snapshot loading) throws: the host retries up to maxDequeueCount and then poisons the message itself.
/// </para>
/// </summary>
public sealed class SourceEnricher(
    IntelSnapshotProvider intel,
    SourceProfileCache cache,
    SourceProfileStore store,
    SourceDayMemo memo,
    StorageClients storage,
    IOptions<EnrichmentOptions> options,
    ILogger<SourceEnricher> logger)
{
    private const int DayParallelism = 4;
    private const int MaxLoggedTextChars = 64;

    public string PoisonQueueName => storage.Options.EnrichmentQueueName + "-poison";

    /// <summary>A message given as text (tests, tools): its UTF-8 bytes.</summary>
    public Task<EnrichmentResult> HandleAsync(string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return HandleAsync(BinaryData.FromString(message), cancellationToken);
    }

    /// <param name="message">The message's bytes as the queue trigger decoded them (base64 undone).</param>
    public async Task<EnrichmentResult> HandleAsync(BinaryData message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnrichmentRequest request;
        try
        {
            request = EnrichmentRequestSerializer.Decode(message);
        }
        catch (FormatException ex)
        {
            await PoisonAsync(message, ex.Message, cancellationToken).ConfigureAwait(false);
            return EnrichmentResult.Poisoned;
        }

        var sources = new List<EnrichmentSource>(request.Sources.Count);
        foreach (var source in request.Sources)
        {
            if (IpNumber.TryParse(source.Ip, out _)) sources.Add(source);
            else EnrichmentLog.NotAnAddress(logger, request.RunId, Printable(source.Ip));
        }

        var index = await intel.GetAsync(cancellationToken).ConfigureAwait(false);
        var profiles = await cache.GetOrAddAsync(sources.Select(s => s.Ip).Distinct(StringComparer.Ordinal).ToList(), index, cancellationToken).ConfigureAwait(false);

        var tolerance = options.Value.TorTolerance;
        var days = new Dictionary<LocalDate, Dictionary<string, SourceProfile>>();
        foreach (var source in sources)
        {
            var profile = SourceProfiler.Judge(profiles.Profiles[source.Ip], source.FirstSeen, source.LastSeen, tolerance);
            foreach (var incident in source.Incidents)
            {
                foreach (var dayText in incident.Days ?? [])
                {
                    if (!ReportCalendar.TryParseIsoDay(dayText, out var day))
                    {
                        EnrichmentLog.NotADay(logger, request.RunId, Printable(incident.Id), Printable(dayText));
                        continue;
                    }

                    if (!days.TryGetValue(day, out var dayProfiles)) days[day] = dayProfiles = new Dictionary<string, SourceProfile>(StringComparer.Ordinal);
                    // The same address in two pieces of a message: Tor in either window makes it Tor for the day.
                    if (!dayProfiles.TryGetValue(source.Ip, out var known) || (known.SourceType != SourceType.Tor && profile.SourceType == SourceType.Tor))
                    {
                        dayProfiles[source.Ip] = profile;
                    }
                }
            }
        }

        var attributionsBySource = index.Snapshot.Sources
            .Where(s => !string.IsNullOrWhiteSpace(s.Info.Attribution))
            .ToDictionary(s => s.Info.Name, s => s.Info.Attribution!, StringComparer.Ordinal);
        var tenant = request.TenantId;
        await Parallel.ForEachAsync(days, new ParallelOptions { MaxDegreeOfParallelism = DayParallelism, CancellationToken = cancellationToken }, async (day, ct) =>
        {
            // The lines of the sources that produced some field of the day's rows.
            var attributions = day.Value.Values.SelectMany(p => p.Provenance).Select(p => p.Source).Distinct(StringComparer.Ordinal)
                .Select(name => attributionsBySource.GetValueOrDefault(name)).OfType<string>().ToList();
            var changed = day.Value.Values.Select(p => (Profile: p, Hash: SourceDayMemo.Hash(SourceProfileStore.Serialize(p))))
                .Where(p => !memo.IsWritten(tenant, day.Key, p.Profile.Ip, p.Hash)).ToList();
            var newLines = memo.AttributionsWritten(tenant, day.Key, attributions) ? [] : attributions;
            if (changed.Count == 0 && newLines.Count == 0) return;
            await store.UpsertAsync(tenant, day.Key, changed.Select(c => c.Profile).ToList(), newLines, ct).ConfigureAwait(false);
            foreach (var (profile, hash) in changed) memo.MarkWritten(tenant, day.Key, profile.Ip, hash);
            memo.MarkAttributions(tenant, day.Key, newLines);
        }).ConfigureAwait(false);

        var runId = Printable(request.RunId);
        EnrichmentLog.Enriched(logger, sources.Count, runId, request.TenantId, days.Count, profiles.FromCache, profiles.LookedUp, index.Version);
        return new EnrichmentResult(EnrichmentOutcome.Enriched, request.TenantId, sources.SelectMany(s => s.Incidents).ToList());
    }

    /// <summary>
    /// Sends the message's own bytes to the poison queue. The app's queue client base64-encodes them exactly as the
    /// producer (and the host) did, so the poison message's text is the original's, character for character: nothing
    /// decoded to text and encoded again, so invalid UTF-8 arrives unchanged and a body can never outgrow the 64 KiB limit
    /// (it is poisoned at the first delivery instead of failing five times on a 413).
    /// </summary>
    private async Task PoisonAsync(BinaryData message, string reason, CancellationToken cancellationToken)
    {
        var poison = await storage.GetQueueAsync(PoisonQueueName, cancellationToken).ConfigureAwait(false);
        await poison.SendMessageAsync(message, cancellationToken: cancellationToken).ConfigureAwait(false);
        EnrichmentLog.MessagePoisoned(logger, message.ToMemory().Length, PoisonQueueName, StoredText.Bound(reason, 500)!);
    }

    /// <summary>Message text in a log line: bounded and without control characters (it may come from attacker traffic).</summary>
    private static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var bounded = StoredText.Bound(text, MaxLoggedTextChars)!;
        return string.Create(bounded.Length, bounded, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++) span[i] = char.IsControl(s[i]) || char.GetUnicodeCategory(s[i]) == System.Globalization.UnicodeCategory.Format ? '?' : s[i];
        });
    }
}
