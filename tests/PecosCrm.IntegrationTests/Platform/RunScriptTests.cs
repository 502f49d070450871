using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using PecosCrm.Testing;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary>
/// <c>./run.sh</c> as a newcomer runs it: its own Azurite (on free ports, in a temporary folder), the
/// app, the demo store, and Ctrl-C.
/// </summary>
public sealed class RunScriptTests
{
    [Fact]
    public async Task RunScript_HonoursTheGivenAdminKey_IsUsableWithinAMinute_AndCtrlCStopsEverything()
    {
        var root = AzuriteProcess.RepoRoot();
        var data = Directory.CreateTempSubdirectory("pecoscrm-run-").FullName;
        var port = AzuriteProcess.FreePort();
        var tablePort = AzuriteProcess.FreePort();
        var key = "pcrm_given_" + Guid.NewGuid().ToString("N");
        // Through env --default-signal, so that Ctrl-C reaches the script as from a terminal even when
        // the suite itself was started in the background (a shell's `&` makes its children ignore
        // SIGINT, and bash cannot trap a signal ignored when it starts).
        var start = new ProcessStartInfo("env")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add(Path.Combine(root, "run.sh"));
        start.Environment["PECOSCRM_BOOTSTRAP_ADMIN_KEY"] = key;
        start.Environment["PECOSCRM_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PECOSCRM_DATA"] = data;
        start.Environment["AZURITE_BLOB_PORT"] = AzuriteProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["AZURITE_QUEUE_PORT"] = AzuriteProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["AZURITE_TABLE_PORT"] = tablePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment.Remove("AzureWebJobsStorage");

        using var script = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var up = new TaskCompletionSource();
        script.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            output.Enqueue(e.Data);
            if (e.Data.Contains("Ctrl-C stops the app", StringComparison.Ordinal))
            {
                up.TrySetResult();
            }
        };
        script.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        try
        {
            // The script builds first (a no-op here) and then starts Azurite and the app.
            await up.Task.WaitAsync(TimeSpan.FromMinutes(4));
            Assert.DoesNotContain(output, l => l.Contains("not registered", StringComparison.Ordinal));
            var printed = Assert.Single(output, l => l.Contains("Admin API key:", StringComparison.Ordinal));
            Assert.EndsWith(key, printed.Trim());

            using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}") };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/keys")).StatusCode);

            // The first slice of the demo store (with whole histories) is there within a minute of start-up.
            var deadline = DateTime.UtcNow.AddMinutes(1);
            var customers = 0;
            while (DateTime.UtcNow < deadline && customers < 100)
            {
                var page = JsonNode.Parse(await http.GetStringAsync("/api/customers?limit=500"))!;
                customers = page["items"]!.AsArray().Count;
                if (customers < 100)
                {
                    await Task.Delay(1000);
                }
            }
            Assert.True(customers >= 100, $"{customers} demo customers a minute after start-up");

            // Ctrl-C: the script, the app and Azurite are all gone. The script kills what has not
            // stopped 4 s after Ctrl-C; the bound here is looser, since a timed assertion under the
            // suite's load would test the machine, not the script (the stop time goes to the log).
            Signal(script.Id, "INT");
            using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            {
                await script.WaitForExitAsync(limit.Token);
            }
            Assert.False(await AnswersAsync(port), "the app still answers after Ctrl-C");
            Assert.False(await AnswersAsync(tablePort), "Azurite still answers after Ctrl-C");
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException("run.sh failed:\n" + string.Join('\n', output.TakeLast(40)), ex);
        }
        finally
        {
            if (!script.HasExited)
            {
                Signal(script.Id, "TERM");
                await script.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token).ContinueWith(_ => { });
            }
            Directory.Delete(data, recursive: true);
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
