// Package bridge carries tailnet connections to the host over loopback TCP: each bridged connection starts with
// a header naming the session, direction and remote end (SPEC §3), then raw bytes flow both ways.
package bridge

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Magic opens every bridge header: "TRFF".
const Magic uint32 = 0x54524646

// Version is the only header version there is.
const Version byte = 0x01

// Directions.
const (
	Incoming byte = 0x01 // a peer connected to one of our listeners
	Outgoing byte = 0x02 // the answer to a bridge:dial
)

// Field limits. The host enforces the same ones, so a longer field would be dropped there anyway.
const (
	MaxRequestID  = 128
	MaxRemoteAddr = 256
	MaxIdentity   = 4096
)

// fixedLen is magic + version + token + direction + port.
const fixedLen = 4 + 1 + 32 + 1 + 2

// MaxHeaderLen is the longest possible header: the fixed part and three length-prefixed strings at their limits.
const MaxHeaderLen = fixedLen + 2 + MaxRequestID + 2 + MaxRemoteAddr + 2 + MaxIdentity

// Header errors; ReadHeader and MarshalBinary wrap them with the offending field.
var (
	ErrBadMagic            = errors.New("bridge: bad magic")
	ErrBadVersion          = errors.New("bridge: unsupported header version")
	ErrBadDirection        = errors.New("bridge: bad direction")
	ErrFieldTooLong        = errors.New("bridge: header field too long")
	ErrInvalidUTF8         = errors.New("bridge: header field is not valid UTF-8")
	ErrIncomingWithRequest = errors.New("bridge: incoming header carries a requestId")
	ErrBadToken            = errors.New("sessionToken must be 64 hex chars (32 bytes)")
)

// Header introduces one bridged connection.
type Header struct {
	Token      [32]byte // the session token, so the host accepts only its own sidecar's connections
	Direction  byte     // Incoming or Outgoing
	Port       uint16   // the tailnet port: the listener's port (incoming) or the dialled port (outgoing)
	RequestID  string   // the bridge:dial requestId (outgoing only)
	RemoteAddr string   // "ip:port" of the remote end (outgoing: "target:port")
	Identity   string   // incoming: compact WhoIs JSON or ""; outgoing: the dial target
}

// field describes one length-prefixed string for validation.
type field struct {
	name  string
	value string
	max   int
}

func (h Header) fields() [3]field {
	return [3]field{
		{"requestId", h.RequestID, MaxRequestID},
		{"remoteAddr", h.RemoteAddr, MaxRemoteAddr},
		{"identity", h.Identity, MaxIdentity},
	}
}

// validate applies the rules ReadHeader enforces, so that every marshalled header is one the host accepts.
func (h Header) validate() error {
	if h.Direction != Incoming && h.Direction != Outgoing {
		return fmt.Errorf("%w: %#x", ErrBadDirection, h.Direction)
	}
	for _, f := range h.fields() {
		if len(f.value) > f.max {
			return fmt.Errorf("%w: %s is %d bytes, limit %d", ErrFieldTooLong, f.name, len(f.value), f.max)
		}
		if !utf8.ValidString(f.value) {
			return fmt.Errorf("%w: %s", ErrInvalidUTF8, f.name)
		}
	}
	if h.Direction == Incoming && h.RequestID != "" {
		return ErrIncomingWithRequest
	}
	return nil
}

// MarshalBinary encodes the header big-endian. It checks every field first and writes nothing for an invalid one.
func (h Header) MarshalBinary() ([]byte, error) {
	if err := h.validate(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, fixedLen+6+len(h.RequestID)+len(h.RemoteAddr)+len(h.Identity))
	b = binary.BigEndian.AppendUint32(b, Magic)
	b = append(b, Version)
	b = append(b, h.Token[:]...)
	b = append(b, h.Direction)
	b = binary.BigEndian.AppendUint16(b, h.Port)
	for _, f := range h.fields() {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f.value)))
		b = append(b, f.value...)
	}
	return b, nil
}

// ReadHeader reads exactly one header from r and nothing more, so the bytes after it stay in r for the proxy.
// Each length is checked against its limit before anything is allocated for it.
func ReadHeader(r io.Reader) (Header, error) {
	var fixed [fixedLen]byte
	if _, err := io.ReadFull(r, fixed[:]); err != nil {
		return Header{}, fmt.Errorf("bridge: read header: %w", err)
	}
	if m := binary.BigEndian.Uint32(fixed[0:4]); m != Magic {
		return Header{}, fmt.Errorf("%w: %#08x", ErrBadMagic, m)
	}
	if fixed[4] != Version {
		return Header{}, fmt.Errorf("%w: %#x", ErrBadVersion, fixed[4])
	}
	var h Header
	copy(h.Token[:], fixed[5:37])
	h.Direction = fixed[37]
	if h.Direction != Incoming && h.Direction != Outgoing {
		return Header{}, fmt.Errorf("%w: %#x", ErrBadDirection, h.Direction)
	}
	h.Port = binary.BigEndian.Uint16(fixed[38:40])

	var err error
	if h.RequestID, err = readString(r, "requestId", MaxRequestID); err != nil {
		return Header{}, err
	}
	if h.Direction == Incoming && h.RequestID != "" {
		return Header{}, ErrIncomingWithRequest
	}
	if h.RemoteAddr, err = readString(r, "remoteAddr", MaxRemoteAddr); err != nil {
		return Header{}, err
	}
	if h.Identity, err = readString(r, "identity", MaxIdentity); err != nil {
		return Header{}, err
	}
	return h, nil
}

// readString reads a u16 length and that many bytes of UTF-8, refusing a length over max before allocating.
// The header has started, so running out of bytes here is io.ErrUnexpectedEOF; plain io.EOF from ReadHeader
// means only that the connection closed before sending anything.
func readString(r io.Reader, name string, max int) (string, error) {
	var lb [2]byte
	if _, err := io.ReadFull(r, lb[:]); err != nil {
		return "", fmt.Errorf("bridge: read %s length: %w", name, unexpected(err))
	}
	n := int(binary.BigEndian.Uint16(lb[:]))
	if n > max {
		return "", fmt.Errorf("%w: %s is %d bytes, limit %d", ErrFieldTooLong, name, n, max)
	}
	if n == 0 {
		return "", nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("bridge: read %s: %w", name, unexpected(err))
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%w: %s", ErrInvalidUTF8, name)
	}
	return string(b), nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ParseToken decodes the 64-hex-character session token of tsnet:start. The error text is the published
// sidecar's START_ERROR message.
func ParseToken(s string) ([32]byte, error) {
	var t [32]byte
	if len(s) != hex.EncodedLen(len(t)) {
		return t, ErrBadToken
	}
	if _, err := hex.Decode(t[:], []byte(s)); err != nil {
		return [32]byte{}, ErrBadToken
	}
	return t, nil
}
