using IncidentFunctions.Reports;
using nietras.SeparatedValues;

namespace IncidentFunctions.Tests.Reports;

/// <summary>Reads the CSV export back with Sep, an RFC 4180 reader independent of the writer: quotes unescaped, nothing trimmed.</summary>
internal static class CsvReading
{
    public static SepReaderOptions Reader() => Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = false });

    public static List<Dictionary<string, string>> Records(SepReader reader)
    {
        var records = new List<Dictionary<string, string>>();
        foreach (var row in reader)
        {
            Assert.Equal(IncidentCsv.Columns.Count, row.ColCount);
            var record = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var column in IncidentCsv.Columns) record[column] = row[column].ToString();
            records.Add(record);
        }

        return records;
    }
}
