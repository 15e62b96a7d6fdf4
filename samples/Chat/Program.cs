using Chat;

// dotnet run --project samples/Chat                 three local devices on a loopback network: discovery, election,
//                                                   chat through the primary, then the primary stops and one takes over
// dotnet run --project samples/Chat -- --in-process the same messages on an in-process network (no sidecar)
return args is ["--in-process"]
    ? await InProcessDemo.RunAsync()
    : await MeshDemo.RunAsync();
