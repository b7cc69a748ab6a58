using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Calendar;

internal sealed class CalendarOptionsValidator : IValidateOptions<CalendarOptions>
{
    public ValidateOptionsResult Validate(string? name, CalendarOptions options)
        => DateTimeZoneProviders.Tzdb.GetZoneOrNull(options.TimeZone ?? "") is null
            ? ValidateOptionsResult.Fail($"Reports:TimeZone '{options.TimeZone}' is not an IANA time zone id. Set 'Reports__TimeZone' to an id such as 'UTC', 'Europe/Berlin' or 'America/New_York'.")
            : ValidateOptionsResult.Success;
}
