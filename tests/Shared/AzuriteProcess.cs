using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PecosCrm.Testing;

/// <summary>
/// Azurite from the repo's node_modules, on free ports, so that two runs on one machine never
/// collide. Stops exactly the process it started. Shared by the integration tests and the bench.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string? _location;
    private Process? _process;

    private AzuriteProcess(string? location, int blobPort, int queuePort, int tablePort)
    {
        _location = location;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    /// <summary>
    /// Starts Azurite in memory, or on disk under <paramref name="location"/> (which survives a
    /// <see cref="StopAsync"/> and <see cref="StartAgainAsync"/>).
    /// </summary>
    public static async Task<AzuriteProcess> StartAsync(string? location = null)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var azurite = new AzuriteProcess(location, FreePort(), FreePort(), FreePort());
            try
            {
                await azurite.StartAgainAsync();
                return azurite;
            }
            catch (Exception ex)
            {
                // A port taken between choosing it and binding it: choose again.
                last = ex;
                await azurite.DisposeAsync();
            }
        }
        throw new InvalidOperationException("Azurite did not start.", last);
    }

    public async Task StartAgainAsync()
    {
        var root = RepoRoot();
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed: run 'npm ci' in {root} (test.sh does).");
        }
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var arg in new[]
        {
            script, "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", BlobPort.ToString(CultureInfo.InvariantCulture), "--queuePort", QueuePort.ToString(CultureInfo.InvariantCulture), "--tablePort", TablePort.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }
        if (_location is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(_location);
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(_location);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode}.");
            }
            if (await AnswersAsync(BlobPort) && await AnswersAsync(QueuePort) && await AnswersAsync(TablePort))
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("Azurite did not answer within 60 s.");
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>The folder holding package.json, found by walking up from the test binaries.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "package.json")) && File.Exists(Path.Combine(dir.FullName, "PecosCrm.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Could not find the repository root (package.json beside PecosCrm.sln).");
    }

    /// <summary>A loopback port free at the time of asking.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
