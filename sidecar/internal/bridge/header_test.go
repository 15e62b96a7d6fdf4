package bridge

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func testToken() [32]byte {
	var t [32]byte
	for i := range t {
		t[i] = byte(i + 1)
	}
	return t
}

// TestHeaderKnownBytes pins the wire layout against bytes written out by hand from SPEC §3.
func TestHeaderKnownBytes(t *testing.T) {
	h := Header{
		Token:      testToken(),
		Direction:  Outgoing,
		Port:       9417, // 0x24c9
		RequestID:  "r1",
		RemoteAddr: "peer:9417",
		Identity:   "peer",
	}
	want := []byte{
		0x54, 0x52, 0x46, 0x46, // "TRFF"
		0x01, // version
		// token
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
		0x02,       // outgoing
		0x24, 0xc9, // port 9417
		0x00, 0x02, 'r', '1', // requestId
		0x00, 0x09, 'p', 'e', 'e', 'r', ':', '9', '4', '1', '7', // remoteAddr
		0x00, 0x04, 'p', 'e', 'e', 'r', // identity
	}
	got, err := h.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % x\nwant % x", got, want)
	}
	back, err := ReadHeader(bytes.NewReader(want))
	if err != nil || back != h {
		t.Fatalf("read back %+v, %v", back, err)
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		h    Header
	}{
		{"incoming without identity", Header{Token: testToken(), Direction: Incoming, Port: 9417, RemoteAddr: "100.64.0.5:51234"}},
		{"incoming with identity", Header{Token: testToken(), Direction: Incoming, Port: 1, RemoteAddr: "127.0.0.3:4000",
			Identity: `{"dnsName":"a.ts.net.","loginName":"ü@x","displayName":"Ä","nodeId":"n1"}`}},
		{"outgoing", Header{Direction: Outgoing, Port: 65535, RequestID: "0b0f5a7e-4c1d-4e8f-9a2b-3c4d5e6f7a8b", RemoteAddr: "peer.ts.net:65535", Identity: "peer.ts.net"}},
		{"every field at its limit", Header{Direction: Outgoing, RequestID: strings.Repeat("r", MaxRequestID),
			RemoteAddr: strings.Repeat("a", MaxRemoteAddr), Identity: strings.Repeat("é", MaxIdentity/2)}},
		{"all empty strings", Header{Direction: Outgoing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.h.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			trailer := []byte("application bytes")
			r := bytes.NewReader(append(b, trailer...))
			got, err := ReadHeader(r)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.h {
				t.Fatalf("got %+v, want %+v", got, tt.h)
			}
			// ReadHeader must leave the application's bytes in the stream.
			rest, _ := io.ReadAll(r)
			if !bytes.Equal(rest, trailer) {
				t.Fatalf("ReadHeader consumed application bytes; left %q", rest)
			}
		})
	}
}

func TestMarshalRejects(t *testing.T) {
	tests := []struct {
		name string
		h    Header
		want error
	}{
		{"direction zero", Header{}, ErrBadDirection},
		{"direction three", Header{Direction: 3}, ErrBadDirection},
		{"requestId too long", Header{Direction: Outgoing, RequestID: strings.Repeat("r", MaxRequestID+1)}, ErrFieldTooLong},
		{"remoteAddr too long", Header{Direction: Outgoing, RemoteAddr: strings.Repeat("a", MaxRemoteAddr+1)}, ErrFieldTooLong},
		{"identity too long", Header{Direction: Incoming, Identity: strings.Repeat("i", MaxIdentity+1)}, ErrFieldTooLong},
		{"invalid utf-8", Header{Direction: Incoming, Identity: "\xff"}, ErrInvalidUTF8},
		{"incoming with requestId", Header{Direction: Incoming, RequestID: "r1"}, ErrIncomingWithRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.h.MarshalBinary()
			if !errors.Is(err, tt.want) || b != nil {
				t.Fatalf("got % x, %v; want nil, %v", b, err, tt.want)
			}
		})
	}
}

// raw builds header bytes field by field so that invalid headers can be written.
func raw(magic []byte, version, direction byte, strs ...[]byte) []byte {
	b := append([]byte{}, magic...)
	b = append(b, version)
	tok := testToken()
	b = append(b, tok[:]...)
	b = append(b, direction, 0x24, 0xc9)
	for _, s := range strs {
		b = append(b, byte(len(s)>>8), byte(len(s)))
		b = append(b, s...)
	}
	return b
}

func TestReadHeaderRejects(t *testing.T) {
	magic := []byte("TRFF")
	valid := raw(magic, 1, Outgoing, []byte("r"), []byte("a:1"), []byte("a"))
	tests := []struct {
		name  string
		input []byte
		want  error
	}{
		{"empty", nil, io.EOF},
		{"truncated fixed part", valid[:20], io.ErrUnexpectedEOF},
		{"truncated before requestId length", valid[:fixedLen], io.ErrUnexpectedEOF},
		{"truncated at a string boundary", valid[:len(valid)-3], io.ErrUnexpectedEOF},
		{"truncated inside a string", valid[:len(valid)-1], io.ErrUnexpectedEOF},
		{"wrong magic", raw([]byte("TRFG"), 1, Outgoing, nil, nil, nil), ErrBadMagic},
		{"http request", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + strings.Repeat(" ", 40)), ErrBadMagic},
		{"version 0", raw(magic, 0, Outgoing, nil, nil, nil), ErrBadVersion},
		{"version 2", raw(magic, 2, Outgoing, nil, nil, nil), ErrBadVersion},
		{"direction 0", raw(magic, 1, 0, nil, nil, nil), ErrBadDirection},
		{"direction 3", raw(magic, 1, 3, nil, nil, nil), ErrBadDirection},
		{"requestId over limit", raw(magic, 1, Outgoing, bytes.Repeat([]byte("r"), MaxRequestID+1), nil, nil), ErrFieldTooLong},
		{"remoteAddr over limit", raw(magic, 1, Outgoing, nil, bytes.Repeat([]byte("a"), MaxRemoteAddr+1), nil), ErrFieldTooLong},
		{"identity over limit", raw(magic, 1, Incoming, nil, nil, bytes.Repeat([]byte("i"), MaxIdentity+1)), ErrFieldTooLong},
		{"invalid utf-8 requestId", raw(magic, 1, Outgoing, []byte{0xc3}, nil, nil), ErrInvalidUTF8},
		{"invalid utf-8 remoteAddr", raw(magic, 1, Outgoing, nil, []byte{0xff, 'a'}, nil), ErrInvalidUTF8},
		{"invalid utf-8 identity", raw(magic, 1, Incoming, nil, nil, []byte("ok\xed\xa0\x80")), ErrInvalidUTF8},
		{"incoming with requestId", raw(magic, 1, Incoming, []byte("r1"), nil, nil), ErrIncomingWithRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ReadHeader(bytes.NewReader(tt.input))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %+v, %v; want %v", h, err, tt.want)
			}
			if h != (Header{}) {
				t.Fatalf("partial header returned with an error: %+v", h)
			}
		})
	}
}

// TestReadHeaderChecksLengthBeforeReading shows a huge declared length is refused without waiting for the bytes:
// the reader holds only the length, so reading the body would fail with EOF instead.
func TestReadHeaderChecksLengthBeforeReading(t *testing.T) {
	in := raw([]byte("TRFF"), 1, Outgoing)
	in = append(in, 0xff, 0xff)
	if _, err := ReadHeader(bytes.NewReader(in)); !errors.Is(err, ErrFieldTooLong) {
		t.Fatalf("err %v, want ErrFieldTooLong", err)
	}
}

func TestParseToken(t *testing.T) {
	good := "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
	tok, err := ParseToken(good)
	if err != nil || tok != testToken() {
		t.Fatalf("got %x, %v", tok, err)
	}
	if tok, err := ParseToken(strings.ToUpper(good)); err != nil || tok != testToken() {
		t.Fatalf("upper case: %x, %v", tok, err)
	}
	for _, bad := range []string{"", good[:62], good + "00", good[:63] + "g", " " + good[1:], strings.Repeat("é", 32)} {
		if _, err := ParseToken(bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("%q: err %v, want ErrBadToken", bad, err)
		}
	}
	if ErrBadToken.Error() != "sessionToken must be 64 hex chars (32 bytes)" {
		t.Fatalf("message %q differs from the published sidecar's", ErrBadToken)
	}
}

func FuzzReadHeader(f *testing.F) {
	seed, _ := Header{Token: testToken(), Direction: Outgoing, Port: 9417, RequestID: "r1", RemoteAddr: "p:1", Identity: "p"}.MarshalBinary()
	f.Add(seed)
	in, _ := Header{Direction: Incoming, RemoteAddr: "127.0.0.2:1", Identity: `{"dnsName":"x"}`}.MarshalBinary()
	f.Add(in)
	f.Add(raw([]byte("TRFF"), 1, Incoming, []byte("r"), nil, nil))
	f.Add([]byte("TRFF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHeader(bytes.NewReader(data))
		if err != nil {
			return
		}
		b, err := h.MarshalBinary()
		if err != nil {
			t.Fatalf("a header that parsed does not marshal: %+v: %v", h, err)
		}
		if !bytes.HasPrefix(data, b) {
			t.Fatalf("re-marshalled header is not the input's prefix:\n in  % x\n out % x", data, b)
		}
		if len(b) > MaxHeaderLen {
			t.Fatalf("header of %d bytes exceeds MaxHeaderLen %d", len(b), MaxHeaderLen)
		}
	})
}
