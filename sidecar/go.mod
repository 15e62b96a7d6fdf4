module github.com/truffle-dotnet/truffle/sidecar

go 1.19
