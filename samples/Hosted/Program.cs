using Hosted;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Truffle.Hosting;

// dotnet run --project samples/Hosted
//
// A worker that runs a Truffle node inside the Generic Host, configured from appsettings.json ("Truffle" section):
// handler classes with scoped services, a request handler, a health check. The Visitor plays a second device, then
// stops the app, which says goodbye to the network. Exits 0 when the visitor got every answer.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json sits next to the binary, wherever it is run from
});
builder.Services.AddSingleton<NoteStore>();
builder.Services.AddScoped<Notebook>();
builder.Services.AddTruffle(builder.Configuration.GetSection(TruffleConfiguration.SectionName))
    .AddHandler<Greeting, GreetingHandler>()
    .AddRequestHandler<GetNote, Note, NoteHandler>();
builder.Services.AddHealthChecks().AddTruffle();
builder.Services.AddHostedService<Visitor>();

using IHost host = builder.Build();
await host.RunAsync();
return Environment.ExitCode;
