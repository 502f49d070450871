using Microsoft.DurableTask.Client;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// The durable client of the scope that runs a function's work. In Functions mode each function
/// receives it from the <c>[DurableClient]</c> binding and sets it here before running; in standalone
/// mode the invoker binds the engine's client from the container, and a scope nobody set (an HTTP
/// request in standalone mode) falls back to that same client. Null while no engine is registered.
/// Setting it also makes it the invocation's client for the app's singletons in Functions mode
/// (<see cref="Automation.InvocationDurableClient"/>).
/// </summary>
public sealed class DurableClientAccessor(IServiceProvider services)
{
    private DurableTaskClient? _client;

    public DurableTaskClient? Client
    {
        get => _client ?? services.GetService<DurableTaskClient>();
        set
        {
            _client = value;
            Automation.InvocationDurableClient.Use(value);
        }
    }
}
