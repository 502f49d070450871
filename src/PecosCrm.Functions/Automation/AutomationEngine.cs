using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Automation;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Automation;

/// <summary>Standalone mode's Durable Task engine (<c>Automation:Engine</c>); under Azure Functions, host.json sets the same for the host.</summary>
public sealed class AutomationEngineOptions
{
    public const string SectionName = "Automation:Engine";

    /// <summary>The task hub; by default <c>PecosCrm</c> followed by the letters and digits of <c>Storage:Prefix</c>, so each test app has its own.</summary>
    public string? TaskHub { get; set; }

    /// <summary>Control-queue partitions. Measured: 4 keeps instances moving on one worker; 1 collapses throughput. Never change it for a task hub in use.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>The longest the engine waits between polls of an idle queue (DTFx defaults to 30 s, which a timer that fires may then wait for).</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int MaxConcurrentActivities { get; set; } = 10;

    public int MaxConcurrentOrchestrations { get; set; } = 10;

    public bool ExtendedSessions { get; set; }

    /// <summary>
    /// How long the engine's partition manager may take to read and write its partition table. DTFx's
    /// 2 s is too short on a loaded 2-core machine with Azurite: measured, it timed out again and
    /// again, partitions moved and instances stalled for minutes.
    /// </summary>
    public TimeSpan PartitionTableOperationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longer waits are split into timers of at most this (the SDK's default; Azure queues hide a message for at most 7 days). Never change it for running instances.</summary>
    public TimeSpan MaximumTimerInterval { get; set; } = TimeSpan.FromDays(3);
}

/// <summary>
/// Standalone mode's automation engine: the Durable Task Framework's own <see cref="TaskHubWorker"/>
/// over <see cref="AzureStorageOrchestrationService"/> on the app's storage account, running the same
/// orchestrator and activity classes as the Functions host does, through the SDK's
/// <see cref="DurableTaskShimFactory"/>. One worker per process (measured: several workers in one
/// process move partitions between them and stall instances for minutes). <see cref="Client"/> is the
/// <see cref="DurableTaskClient"/> app code uses in this mode.
/// </summary>
public sealed class AutomationEngine : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggers;
    private readonly AutomationEngineOptions _options;
    private readonly IOrchestrationService _workerService;
    private readonly SemaphoreSlim _starting = new(1, 1);
    private readonly string _connectionString;
    private TaskHubWorker? _worker;

    public AutomationEngine(IServiceProvider services, IOptions<StorageOptions> storage, IOptions<AutomationEngineOptions> options, ILoggerFactory loggers)
    {
        _services = services;
        _loggers = loggers;
        _options = options.Value;
        TaskHub = _options.TaskHub ?? TaskHubFor(storage.Value.Prefix);
        _connectionString = storage.Value.ConnectionString;
        Service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(storage.Value.ConnectionString),
            TaskHubName = TaskHub,
            PartitionCount = _options.PartitionCount,
            MaxQueuePollingInterval = _options.MaxQueuePollingInterval,
            MaxConcurrentTaskActivityWorkItems = _options.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = _options.MaxConcurrentOrchestrations,
            ExtendedSessionsEnabled = _options.ExtendedSessions,
            PartitionTableOperationTimeout = _options.PartitionTableOperationTimeout,
            // Each process is a worker of its own: a restarted app takes over the partitions of the one before.
            WorkerId = $"{Environment.MachineName}-{Guid.NewGuid():N}",
            UseAppLease = false,
            LoggerFactory = loggers,
        });
        // Tests bring due timers forward through a decorator of the service the worker runs on.
        _workerService = services.GetService<Func<IOrchestrationService, IOrchestrationService>>() is { } wrap ? wrap(Service) : Service;
        Converter = Microsoft.DurableTask.Converters.JsonDataConverter.Default;
        Client = new EngineClient(this, Converter, loggers);
    }

    public string TaskHub { get; }

    public AzureStorageOrchestrationService Service { get; }

    public Microsoft.DurableTask.DataConverter Converter { get; }

    public DurableTaskClient Client { get; }

    /// <summary>A task hub name Azure Storage accepts (letters and digits, 3 to 45, starting with a letter).</summary>
    public static string TaskHubFor(string prefix)
    {
        var name = "PecosCrm" + new string(prefix.Where(char.IsAsciiLetterOrDigit).ToArray());
        return name.Length > 45 ? name[..45] : name;
    }

    /// <summary>
    /// Starts the worker when the task hub exists (instances may be waiting in it); a new task hub is
    /// made, and the worker started, by the first enrolment. An app that never runs an automation (most
    /// test apps) so costs one storage call rather than a worker polling five queues.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var tables = new Azure.Data.Tables.TableServiceClient(_connectionString);
        await foreach (var _ in tables.QueryAsync(Azure.Data.Tables.TableClient.CreateQueryFilter($"TableName eq {TaskHub + "Instances"}"), cancellationToken: cancellationToken))
        {
            await EnsureStartedAsync(cancellationToken);
            return;
        }
    }

    /// <summary>Creates the task hub if need be and starts the worker, once.</summary>
    public async Task EnsureStartedAsync(CancellationToken cancellationToken = default)
    {
        if (_worker is not null)
        {
            return;
        }
        await _starting.WaitAsync(cancellationToken);
        try
        {
            if (_worker is null)
            {
                await StartWorkerAsync();
            }
        }
        finally
        {
            _starting.Release();
        }
    }

    private async Task StartWorkerAsync()
    {
        await Service.CreateIfNotExistsAsync();
        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions { MaximumTimerInterval = _options.MaximumTimerInterval, DataConverter = Converter }, _loggers);
        var worker = new TaskHubWorker(_workerService, _loggers);
        worker.AddTaskOrchestrations(new Creator<TaskOrchestration>(AutomationOrchestrator.Name,
            () => shims.CreateOrchestration(AutomationOrchestrator.Name, _services.GetRequiredService<AutomationOrchestrator>(), parent: null)));
        worker.AddTaskActivities(AutomationActivities.All
            .Select(a => (ObjectCreator<TaskActivity>)new Creator<TaskActivity>(a.Key, () => shims.CreateActivity(a.Key, (ITaskActivity)_services.GetRequiredService(a.Value))))
            .ToArray());
        await worker.StartAsync();
        _worker = worker;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken);
        if (_worker is not null)
        {
            await _worker.StopAsync(isForced: true);
            _worker.Dispose();
            _worker = null;
        }
        _starting.Release();
    }

    /// <summary>Makes a new orchestration or activity object for every execution, as the shims keep per-execution state.</summary>
    private sealed class Creator<T> : ObjectCreator<T>
    {
        private readonly Func<T> _create;

        public Creator(string name, Func<T> create)
        {
            Name = name;
            Version = "";
            _create = create;
        }

        public override T Create() => _create();
    }
}

public static class AutomationEngineServiceCollectionExtensions
{
    /// <summary>
    /// The automation engine of the hosting mode. Standalone: <see cref="AutomationEngine"/> as a
    /// hosted service and its client as the <see cref="DurableTaskClient"/> singleton. Functions mode:
    /// the host runs the orchestrations, and app code's client forwards to the one bound to the
    /// running invocation (<see cref="InvocationDurableClient"/>).
    /// </summary>
    public static IServiceCollection AddAutomationEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AutomationEngineOptions>().BindConfiguration(AutomationEngineOptions.SectionName);
        if (HostingMode.IsFunctionsHost(configuration))
        {
            services.AddSingleton<DurableTaskClient, InvocationDurableClient>();
            return services;
        }
        services.AddSingleton<AutomationEngine>();
        services.AddHostedService(sp => sp.GetRequiredService<AutomationEngine>());
        services.AddSingleton(sp => sp.GetRequiredService<AutomationEngine>().Client);
        return services;
    }
}
