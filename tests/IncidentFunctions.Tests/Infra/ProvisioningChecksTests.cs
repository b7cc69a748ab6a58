namespace IncidentFunctions.Tests.Infra;

/// <summary>
/// Settings infra/main.bicep refuses with fail(): the deployment engine rejects the template with the message before
/// anything is created, instead of deploying something the app can only fail on at start (or, for an empty webhook
/// URL, an empty Key Vault secret, which Key Vault accepts). Each case changes one variable of the sample environment.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class ProvisioningChecksTests
{
    [Theory]
    [InlineData("DIGEST_CHANNELS", "slack, teams", "DIGEST_CHANNELS (digestChannels) lists 'teams' but TEAMS_WEBHOOK_URL (teamsWebhookUrl) is empty")]
    [InlineData("GENERIC_WEBHOOK_SECRET", "", "DIGEST_CHANNELS (digestChannels) lists 'generic' but GENERIC_WEBHOOK_SECRET (genericWebhookSecret, at least 32 characters) is empty")]
    [InlineData("DIGEST_CHANNELS", "Slack, slak", "DIGEST_CHANNELS (digestChannels) lists unknown channel(s) 'slak': use slack, teams, discord, generic or email")]
    [InlineData("DIGEST_CHANNELS", "slack, email", "DIGEST_CHANNELS (digestChannels) lists 'email' but SMTP_HOST (smtpHost), EMAIL_FROM (emailFrom), EMAIL_TO (emailTo) are empty")]
    [InlineData("DIGEST_WEEKLY", "slack, teams", "DIGEST_WEEKLY (digestWeekly) or DIGEST_MONTHLY (digestMonthly) names channel(s) 'teams' that DIGEST_CHANNELS does not list")]
    [InlineData("DIGEST_MONTHLY", "email", "DIGEST_WEEKLY (digestWeekly) or DIGEST_MONTHLY (digestMonthly) names channel(s) 'email' that DIGEST_CHANNELS does not list")]
    [InlineData("REPORT_SIGNING_KEY_ID", "k_1", "REPORT_SIGNING_KEY_ID (reportSigningKeyId) 'k_1' must be 1-32 letters or digits")]
    [InlineData("REPORT_PREVIOUS_SIGNING_KEY_IDS", "k-0", "REPORT_PREVIOUS_SIGNING_KEY_IDS (reportPreviousSigningKeyIds) lists 'k-0': a key id is 1-32 letters or digits")]
    [InlineData("REPORT_PREVIOUS_SIGNING_KEY_IDS", "k0, k1", "REPORT_PREVIOUS_SIGNING_KEY_IDS (reportPreviousSigningKeyIds) lists the active key id 'k1'")]
    [InlineData("FUNCTION_ALWAYS_READY_HTTP", "41", "FUNCTION_ALWAYS_READY_HTTP (alwaysReadyHttpInstances) 41 is more than FUNCTION_MAX_INSTANCE_COUNT (maximumInstanceCount) 40")]
    [InlineData("FUNCTION_ALWAYS_READY_HTTP", "-1", "the minimum allowable value is 0")]
    public async Task Provision_InvalidSetting_IsRefusedWithAMessageNamingIt(string variable, string value, string expected)
    {
        var refusal = await InfraSnapshot.RefusalAsync(new Dictionary<string, string> { [variable] = value });

        Assert.Contains(expected, refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provision_EmailWithUserNameButNoPassword_IsRefused()
    {
        var refusal = await InfraSnapshot.RefusalAsync(new Dictionary<string, string>
        {
            ["DIGEST_CHANNELS"] = "email",
            ["EMAIL_TO"] = "soc@example.com",
            ["EMAIL_FROM"] = "digest@mail.example.com",
            ["SMTP_HOST"] = "smtp.azurecomm.net",
            ["SMTP_USER_NAME"] = "apikey",
        });

        Assert.Contains("lists 'email' with SMTP_USER_NAME (smtpUserName) set but SMTP_PASSWORD (smtpPassword) is empty", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provision_EmailWithoutRecipients_IsRefused()
    {
        var refusal = await InfraSnapshot.RefusalAsync(new Dictionary<string, string>
        {
            ["DIGEST_CHANNELS"] = "email",
            ["EMAIL_FROM"] = "digest@mail.example.com",
            ["SMTP_HOST"] = "smtp.azurecomm.net",
        });

        Assert.Contains("DIGEST_CHANNELS (digestChannels) lists 'email' but EMAIL_TO (emailTo) is empty: set it (azd env set)", refusal, StringComparison.Ordinal);
    }
}
