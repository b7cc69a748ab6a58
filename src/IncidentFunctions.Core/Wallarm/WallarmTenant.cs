using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using IncidentFunctions.AppModel;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Wallarm;

/// <summary>
/// The tenant id: configured, or asked of <c>/v1/user</c> and remembered in storage under a fingerprint of the API
/// address and token. A token belongs to one tenant for good, so a process that starts while Wallarm is unreachable
/// (every cold start on Flex Consumption) still serves reports and sends digests from what is stored.
/// </summary>
public sealed class WallarmTenant(IOptions<WallarmOptions> options, StorageClients storage, ILogger<WallarmTenant> logger) : IDisposable
{
    /// <summary>The partition of the checkpoints table that holds one row per token fingerprint.</summary>
    public const string Partition = "tenant";

    private const string ClientIdColumn = "ClientId";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private long? _discovered;

    public async Task<long> GetClientIdAsync(WallarmClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (options.Value.ClientId is { } configured) return configured;
        if (_discovered is { } known) return known;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_discovered is { } found) return found;
            var fingerprint = Fingerprint(options.Value);
            if (await RecallAsync(fingerprint, cancellationToken).ConfigureAwait(false) is { } remembered)
            {
                WallarmLog.TenantRecalled(logger, remembered);
                return (_discovered = remembered).Value;
            }

            var asked = await client.GetClientIdAsync(cancellationToken).ConfigureAwait(false);
            await RememberAsync(fingerprint, asked, cancellationToken).ConfigureAwait(false);
            return (_discovered = asked).Value;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The row key for a token: SHA-256 of the API address and the token, 128 bits in hex. It cannot be turned back into
    /// the token, and another cloud or another token is another row.
    /// </summary>
    internal static string Fingerprint(WallarmOptions options)
    {
        var text = $"{options.ResolveApiBaseAddress()}\n{options.ApiToken}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }

    private async Task<long?> RecallAsync(string fingerprint, CancellationToken cancellationToken)
    {
        try
        {
            var table = await storage.GetTableAsync(storage.Options.CheckpointsTable, cancellationToken).ConfigureAwait(false);
            var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, fingerprint, [ClientIdColumn], cancellationToken).ConfigureAwait(false);
            return row.HasValue && row.Value!.GetInt64(ClientIdColumn) is { } clientId and > 0 ? clientId : null;
        }
        catch (Exception ex) when (StorageFailure.IsUnavailable(ex) || ex is InvalidOperationException)
        {
            // Not remembered is only slower: Wallarm is asked, as before there was a memory.
            WallarmLog.TenantNotRecalled(logger, FailureText.Describe(ex));
            return null;
        }
    }

    private async Task RememberAsync(string fingerprint, long clientId, CancellationToken cancellationToken)
    {
        try
        {
            var table = await storage.GetTableAsync(storage.Options.CheckpointsTable, cancellationToken).ConfigureAwait(false);
            var row = new TableEntity(Partition, fingerprint) { [ClientIdColumn] = clientId };
            await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailure.IsUnavailable(ex))
        {
            WallarmLog.TenantNotRemembered(logger, clientId, FailureText.Describe(ex));
        }
    }

    /// <summary>
    /// Wallarm answers 403 both for a token that may not read and for a tenant the token does not belong to. When a
    /// tenant is configured, asks <c>/v1/user</c> (which needs no tenant) whose the token is: a valid token of another
    /// tenant means <c>Wallarm__ClientId</c> is wrong, and the returned exception says so. Otherwise the original.
    /// </summary>
    public async Task<WallarmException> ExplainForbiddenAsync(WallarmClient client, WallarmAuthenticationException forbidden, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(forbidden);
        if (forbidden.StatusCode != 403 || options.Value.ClientId is not { } configured) return forbidden;
        try
        {
            var tokenTenant = await client.GetClientIdAsync(cancellationToken).ConfigureAwait(false);
            return tokenTenant != configured ? new WallarmTenantMismatchException(configured, tokenTenant, forbidden.Endpoint, forbidden) : forbidden;
        }
        catch (WallarmException)
        {
            // /v1/user refused the token too (or said nothing usable): the token is the problem, as first reported.
            return forbidden;
        }
    }

    public void Dispose() => _gate.Dispose();
}
