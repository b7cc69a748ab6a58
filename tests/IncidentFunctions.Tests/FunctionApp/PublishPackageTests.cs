using System.Diagnostics;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using IncidentFunctions.Tests.Infra;

namespace IncidentFunctions.Tests.FunctionApp;

/// <summary>
/// `dotnet publish` of the Functions app is what azd zips and deploys: the host needs host.json and functions.metadata
/// at the package root, beside the worker, and the assemblies precompiled (ReadyToRun) so a new instance does not
/// JIT-compile its first requests.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class PublishPackageTests
{
    [Fact]
    public async Task Publish_PutsHostJsonAndFunctionsMetadataAtThePackageRoot()
    {
        var output = Directory.CreateTempSubdirectory("functionapp-publish-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Repo.Root };
            foreach (var arg in new[] { "publish", "src/IncidentFunctions.FunctionApp/IncidentFunctions.FunctionApp.csproj", "-c", "Release", "-o", output, "--nologo", "-v", "q" })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
            Assert.True(process.ExitCode == 0, $"dotnet publish failed:\n{await stdout}\n{await stderr}");

            Assert.True(File.Exists(Path.Combine(output, "host.json")), "host.json is not at the package root");
            Assert.True(File.Exists(Path.Combine(output, "IncidentFunctions.FunctionApp.dll")));
            Assert.True(File.Exists(Path.Combine(output, "worker.config.json")));
            Assert.False(File.Exists(Path.Combine(output, "local.settings.json")), "local.settings.json must not be deployed");
            using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "functions.metadata"), TestContext.Current.CancellationToken));
            var names = metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
            Assert.Contains("PullIncidents", names);
            Assert.Contains("Status", names);
            foreach (var assembly in new[] { "IncidentFunctions.Core.dll", "IncidentFunctions.FunctionApp.dll", "Azure.Data.Tables.dll", "SkiaSharp.dll" })
            {
                Assert.True(IsReadyToRun(Path.Combine(output, assembly)), $"{assembly} is not a ReadyToRun image");
            }

            using var host = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "host.json"), TestContext.Current.CancellationToken));
            Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>A ReadyToRun image carries a managed native header (IL-only assemblies have none).</summary>
    private static bool IsReadyToRun(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new PEReader(stream);
        return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }
}
