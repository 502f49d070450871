using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Reporting;

/// <summary>Where and from what a run was made, so that figures from different machines and commits are not confused.</summary>
public sealed record RunInfo(
    DateTimeOffset StartedAt, string CommandLine, int LogicalCores, string Memory, string Cpu, string Os, string Runtime, string Azurite, string Commit, string LoadAtStart)
{
    /// <summary>The load average over 1, 5 and 15 minutes, from /proc/loadavg: the cores are shared, so it says how busy the machine was.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    public static RunInfo Capture(string[] args)
    {
        var root = AzuriteProcess.RepoRoot();
        return new RunInfo(
            DateTimeOffset.UtcNow,
            ReadCommandLine(args),
            Environment.ProcessorCount,
            TotalMemory(),
            CpuModel(),
            OsName(),
            RuntimeInformation.FrameworkDescription,
            AzuriteVersion(root),
            ReadCommit(root),
            LoadAverage());
    }

    /// <summary>
    /// The command as typed. Under <c>dotnet run</c> this process is a child of the SDK, so its own
    /// arguments lack the <c>dotnet run ...</c> part; the parent's, from /proc, have it.
    /// </summary>
    private static string ReadCommandLine(string[] args)
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var parentId = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1];
            var parent = File.ReadAllText($"/proc/{parentId}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            if (parent.Length > 1 && Path.GetFileName(parent[0]).StartsWith("dotnet", StringComparison.Ordinal) && parent[1] == "run")
            {
                return Join(["dotnet", .. parent[1..]]);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return Join([Path.GetFileName(Environment.ProcessPath ?? "PecosCrm.Bench"), .. args]);
    }

    private static string Join(IEnumerable<string> parts) =>
        string.Join(' ', parts.Select(p => p.Length > 0 && !p.Any(char.IsWhiteSpace) && !p.Contains('"') ? p : "\"" + p.Replace("\"", "\\\"") + "\""));

    private static string TotalMemory()
    {
        var line = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var value, ..] ? long.Parse(value, CultureInfo.InvariantCulture) : 0;
        return kb > 0 ? string.Create(CultureInfo.InvariantCulture, $"{kb / 1024.0 / 1024.0:F1} GiB") : "unknown";
    }

    private static string CpuModel() =>
        ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(':') + 1)..].Trim()
            : RuntimeInformation.ProcessArchitecture.ToString();

    private static string OsName()
    {
        var pretty = ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
        var distribution = pretty?["PRETTY_NAME=".Length..].Trim('"');
        // On Linux OSDescription is the distribution's name alone; the kernel matters as much to I/O figures.
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : null;
        return (distribution ?? RuntimeInformation.OSDescription) + (kernel is null ? "" : $", Linux {kernel}") + $", {RuntimeInformation.OSArchitecture}";
    }

    private static string AzuriteVersion(string root)
    {
        try
        {
            using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "node_modules", "azurite", "package.json")));
            return package.RootElement.GetProperty("version").GetString() ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string ReadCommit(string root)
    {
        var head = Git(root, "rev-parse", "--short", "HEAD");
        if (head is null)
        {
            return "unknown (not a git checkout)";
        }
        var status = Git(root, "status", "--porcelain");
        return string.IsNullOrEmpty(status) ? head : head + "+dirty";
    }

    private static string? Git(string root, params string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }
            var output = git.StandardOutput.ReadToEnd();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadLines(path) : [];
}
