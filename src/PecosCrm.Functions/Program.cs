using PecosCrm.Functions;
using PecosCrm.Functions.Hosting;

if (HostingMode.IsFunctionsHost(args))
{
    await CrmHost.RunFunctionsWorkerAsync(args);
    return 0;
}

var command = AppCommands.IsCommand(args);
var builder = WebApplication.CreateBuilder(command ? [] : args);
builder.AddPecosCrmStandalone(command ? [] : args);
var app = builder.Build();
app.UseCrmApi();

if (command)
{
    return await AppCommands.RunAsync(app, args);
}
await app.RunAsync();
return 0;

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
