using System.Text.Json.Serialization;

namespace IncidentFunctions.Reports;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ReportsJsonContext : JsonSerializerContext;
