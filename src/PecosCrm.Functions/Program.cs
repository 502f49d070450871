using PecosCrm.Functions;
using PecosCrm.Functions.Hosting;

var command = AppCommands.IsCommand(args);
var builder = WebApplication.CreateBuilder(command ? [] : args);
builder.AddPecosCrm(command ? [] : args);
var app = builder.Build();
app.UsePecosCrm();

if (command)
{
    return await AppCommands.RunAsync(app, args);
}
await app.RunAsync();
return 0;

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
