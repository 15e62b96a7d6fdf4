package proto

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/truffle-dotnet/truffle/sidecar/internal/backend"
)

// ProtocolVersion is reported in tsnet:status and tsnet:started. 5 is the published sidecar's version for this
// command set, so a host can drive either sidecar.
const ProtocolVersion = 5

// Command names, host → sidecar.
const (
	CmdStart      = "tsnet:start"
	CmdStop       = "tsnet:stop"
	CmdGetPeers   = "tsnet:getPeers"
	CmdWatchPeers = "tsnet:watchPeers"
	CmdListen     = "tsnet:listen"
	CmdUnlisten   = "tsnet:unlisten"
	CmdDial       = "bridge:dial"
	CmdWhois      = "tsnet:whois"
)

// Event names, sidecar → host.
const (
	EvtStatus        = "tsnet:status"
	EvtStarted       = "tsnet:started"
	EvtAuthRequired  = "tsnet:authRequired"
	EvtNeedsApproval = "tsnet:needsApproval"
	EvtStopped       = "tsnet:stopped"
	EvtPeers         = "tsnet:peers"
	EvtPeerChanged   = "tsnet:peerChanged"
	EvtListening     = "tsnet:listening"
	EvtUnlistened    = "tsnet:unlistened"
	EvtDialResult    = "bridge:dialResult"
	EvtWhoisResult   = "tsnet:whoisResult"
	EvtError         = "tsnet:error"
)

// Error codes carried by tsnet:error.
const (
	CodeParseError      = "PARSE_ERROR"
	CodeUnknownCmd      = "UNKNOWN_CMD"
	CodeCommandTooLarge = "COMMAND_TOO_LARGE"
	CodeStartError      = "START_ERROR"
	CodeNotRunning      = "NOT_RUNNING"
	CodePeersError      = "PEERS_ERROR"
	CodeDialError       = "DIAL_ERROR"
	CodeListenError     = "LISTEN_ERROR"
	CodeUnlistenError   = "UNLISTEN_ERROR"
	CodeWhoisError      = "WHOIS_ERROR"
	CodeWatchPeersError = "WATCH_PEERS_ERROR"
)

// Backend names accepted in StartData.Backend.
const (
	BackendTsnet    = "tsnet"
	BackendLoopback = "loopback"
)

// DefaultIdleTimeout reaps bridged connections with no traffic when tsnet:start gives no idleTimeoutSecs.
const DefaultIdleTimeout = 600 * time.Second

// Command is one line from the host. Data stays raw until the handler for Command knows its shape.
type Command struct {
	Command string          `json:"command"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// Event is one line to the host. Data is omitted when nil (tsnet:stopped, tsnet:needsApproval).
type Event struct {
	Event string `json:"event"`
	Data  any    `json:"data,omitempty"`
}

// ParseCommand decodes one line. Unknown keys are ignored, as the protocol requires in both directions. The error
// text matches the published sidecar's PARSE_ERROR message.
func ParseCommand(line []byte) (Command, error) {
	var c Command
	if err := json.Unmarshal(line, &c); err != nil {
		return Command{}, fmt.Errorf("failed to parse command: %w", err)
	}
	return c, nil
}

// Decode unmarshals the command's data into v. Absent or null data leaves v at its zero value, because
// commands such as tsnet:stop carry none.
func (c Command) Decode(v any) error {
	if len(c.Data) == 0 || string(c.Data) == "null" {
		return nil
	}
	if err := json.Unmarshal(c.Data, v); err != nil {
		return fmt.Errorf("invalid %s data: %w", c.Command, err)
	}
	return nil
}

// RequestID returns the data's requestId, or "" if it has none, so that any error answering a request can echo it.
func (c Command) RequestID() string {
	var r struct {
		RequestID string `json:"requestId"`
	}
	_ = c.Decode(&r) // a command whose data does not parse simply has no id to echo
	return r.RequestID
}

// StartData is tsnet:start.
//
// Backend, LoopbackDir and LoopbackPorts are this project's extension to the published protocol: Backend selects
// the network ("tsnet", the default, or "loopback", the local stand-in for development and tests), LoopbackDir is
// the shared registry directory of the loopback network, and LoopbackPorts the ports the host will listen on, which
// the loopback backend reserves with the address it claims. The published sidecar ignores them as unknown keys.
type StartData struct {
	Hostname        string   `json:"hostname"`
	StateDir        string   `json:"stateDir"`
	AuthKey         string   `json:"authKey,omitempty"`
	BridgePort      int      `json:"bridgePort"`
	SessionToken    string   `json:"sessionToken"`
	Ephemeral       bool     `json:"ephemeral,omitempty"`
	Tags            []string `json:"tags,omitempty"`
	IdleTimeoutSecs int      `json:"idleTimeoutSecs,omitempty"`
	Backend         string   `json:"backend,omitempty"`
	LoopbackDir     string   `json:"loopbackDir,omitempty"`
	LoopbackPorts   []int    `json:"loopbackPorts,omitempty"`
}

// IdleTimeout is the bridge idle timeout, DefaultIdleTimeout when unset or not positive.
func (s StartData) IdleTimeout() time.Duration {
	if s.IdleTimeoutSecs <= 0 {
		return DefaultIdleTimeout
	}
	return time.Duration(s.IdleTimeoutSecs) * time.Second
}

// BackendName is the selected backend, BackendTsnet when unset.
func (s StartData) BackendName() string {
	if s.Backend == "" {
		return BackendTsnet
	}
	return s.Backend
}

// ListenData is tsnet:listen (port 0 picks a port).
type ListenData struct {
	Port int  `json:"port"`
	TLS  bool `json:"tls,omitempty"`
}

// UnlistenData is tsnet:unlisten.
type UnlistenData struct {
	Port int `json:"port"`
}

// DialData is bridge:dial. Success is an outgoing bridge connection carrying RequestID, not an event.
type DialData struct {
	RequestID string `json:"requestId"`
	Target    string `json:"target"`
	Port      int    `json:"port"`
	TLS       bool   `json:"tls,omitempty"`
}

// WhoisData is tsnet:whois; Addr is "ip" or "ip:port".
type WhoisData struct {
	Addr      string `json:"addr"`
	RequestID string `json:"requestId,omitempty"`
}

// StatusData is tsnet:status. While starting only state, hostname and protocolVersion are sent; dnsName and
// tailscaleIP appear once running.
type StatusData struct {
	State           string `json:"state"`
	Hostname        string `json:"hostname"`
	DNSName         string `json:"dnsName,omitempty"`
	TailscaleIP     string `json:"tailscaleIP,omitempty"`
	ProtocolVersion int    `json:"protocolVersion"`
}

// StartedData is tsnet:started; every field is always present.
type StartedData struct {
	State           string `json:"state"`
	Hostname        string `json:"hostname"`
	DNSName         string `json:"dnsName"`
	TailscaleIP     string `json:"tailscaleIP"`
	NodeID          string `json:"nodeId"`
	ProtocolVersion int    `json:"protocolVersion"`
}

// AuthRequiredData is tsnet:authRequired.
type AuthRequiredData struct {
	AuthURL string `json:"authUrl"`
}

// PeersData is tsnet:peers. Use NewPeersData so that no peers is sent as [] rather than null.
type PeersData struct {
	Peers []backend.Peer `json:"peers"`
}

// NewPeersData wraps peers, turning nil into an empty list.
func NewPeersData(peers []backend.Peer) PeersData {
	if peers == nil {
		peers = []backend.Peer{}
	}
	return PeersData{Peers: peers}
}

// PeerChangedData is tsnet:peerChanged; Peer is absent for "left".
type PeerChangedData struct {
	ChangeType string        `json:"changeType"`
	PeerID     string        `json:"peerId"`
	Peer       *backend.Peer `json:"peer,omitempty"`
}

// NewPeerChangedData converts a backend change to its event data.
func NewPeerChangedData(c backend.PeerChange) PeerChangedData {
	return PeerChangedData{ChangeType: c.ChangeType, PeerID: c.PeerID, Peer: c.Peer}
}

// ListeningData is tsnet:listening with the actual port.
type ListeningData struct {
	Port int `json:"port"`
}

// UnlistenedData is tsnet:unlistened.
type UnlistenedData struct {
	Port int `json:"port"`
}

// DialResultData is bridge:dialResult, sent only on failure (Success false).
type DialResultData struct {
	RequestID string `json:"requestId"`
	Success   bool   `json:"success"`
	Error     string `json:"error,omitempty"`
}

// WhoisResultData is tsnet:whoisResult: Identity on success, Error on failure.
type WhoisResultData struct {
	Addr      string            `json:"addr"`
	Identity  *backend.Identity `json:"identity,omitempty"`
	Error     string            `json:"error,omitempty"`
	RequestID string            `json:"requestId,omitempty"`
}

// ErrorData is tsnet:error; RequestID echoes the failed request's id when it had one.
type ErrorData struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"requestId,omitempty"`
}

// ErrorEvent builds a tsnet:error event.
func ErrorEvent(code, message, requestID string) Event {
	return Event{Event: EvtError, Data: ErrorData{Code: code, Message: message, RequestID: requestID}}
}
