package proto

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// result is one ReadLine outcome: a line, or an error (ErrLineTooLarge / io.EOF).
type result struct {
	line string
	err  error
}

// readAll calls ReadLine until io.EOF or another error, collecting every outcome.
func readAll(t *testing.T, lr *LineReader) []result {
	t.Helper()
	var out []result
	for i := 0; i < 1000; i++ {
		line, err := lr.ReadLine()
		out = append(out, result{string(line), err})
		if err != nil && !errors.Is(err, ErrLineTooLarge) {
			return out
		}
	}
	t.Fatal("ReadLine never reached EOF")
	return nil
}

func TestReadLine(t *testing.T) {
	tooLarge := result{err: ErrLineTooLarge}
	eof := result{err: io.EOF}
	tests := []struct {
		name  string
		limit int
		input string
		want  []result
	}{
		{"empty input", 8, "", []result{eof}},
		{"one line", 8, "abc\n", []result{{line: "abc"}, eof}},
		{"final line without newline", 8, "abc\ndef", []result{{line: "abc"}, {line: "def"}, eof}},
		{"crlf stripped", 8, "abc\r\ndef\r\n", []result{{line: "abc"}, {line: "def"}, eof}},
		{"only a trailing cr is stripped", 8, "a\rb\r\r\n", []result{{line: "a\rb\r"}, eof}},
		{"empty lines skipped", 8, "\n\r\n\nabc\n\n\ndef\n\n", []result{{line: "abc"}, {line: "def"}, eof}},
		{"exactly the limit", 8, "12345678\n", []result{{line: "12345678"}, eof}},
		{"exactly the limit with crlf", 8, "12345678\r\nx\n", []result{{line: "12345678"}, {line: "x"}, eof}},
		{"exactly the limit unterminated", 8, "12345678", []result{{line: "12345678"}, eof}},
		{"one over the limit", 8, "123456789\nnext\n", []result{tooLarge, {line: "next"}, eof}},
		{"one over the limit with crlf", 8, "123456789\r\nnext\n", []result{tooLarge, {line: "next"}, eof}},
		{"oversized unterminated last line", 8, "ok\n123456789", []result{{line: "ok"}, tooLarge, eof}},
		{"two oversized lines in a row", 4, "aaaaaa\nbbbbbb\nc\n", []result{tooLarge, tooLarge, {line: "c"}, eof}},
		{
			"oversized line spanning many buffer chunks", 32,
			strings.Repeat("x", 5*readChunk+17) + "\n{\"command\":\"a\"}\n",
			[]result{tooLarge, {line: `{"command":"a"}`}, eof},
		},
		{
			"line longer than a chunk but within the limit", 3 * readChunk,
			strings.Repeat("y", 2*readChunk+5) + "\nz\n",
			[]result{{line: strings.Repeat("y", 2*readChunk+5)}, {line: "z"}, eof},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The one-byte reader makes every ReadSlice boundary case happen; the plain reader the common path.
			readers := map[string]io.Reader{
				"plain":    strings.NewReader(tt.input),
				"one byte": iotest.OneByteReader(strings.NewReader(tt.input)),
			}
			for rname, r := range readers {
				got := readAll(t, NewLineReaderLimit(r, tt.limit))
				if !equalResults(got, tt.want) {
					t.Errorf("%s reader: got %s, want %s", rname, describe(got), describe(tt.want))
				}
			}
		})
	}
}

// TestReadLineAtMaxLine uses the real 8 MiB limit: a line of exactly MaxLine bytes is accepted and one byte more
// is drained, after which the following command is still read.
func TestReadLineAtMaxLine(t *testing.T) {
	exact := bytes.Repeat([]byte{'a'}, MaxLine)
	over := bytes.Repeat([]byte{'b'}, MaxLine+1)
	var in bytes.Buffer
	in.Write(exact)
	in.WriteString("\n")
	in.Write(over)
	in.WriteString("\n")
	in.WriteString(`{"command":"tsnet:stop"}` + "\n")

	lr := NewLineReader(&in)
	line, err := lr.ReadLine()
	if err != nil || !bytes.Equal(line, exact) {
		t.Fatalf("exact-limit line: len %d, err %v", len(line), err)
	}
	if _, err := lr.ReadLine(); !errors.Is(err, ErrLineTooLarge) {
		t.Fatalf("over-limit line: err %v, want ErrLineTooLarge", err)
	}
	line, err = lr.ReadLine()
	if err != nil || string(line) != `{"command":"tsnet:stop"}` {
		t.Fatalf("line after oversized one: %q, %v", line, err)
	}
	if _, err := lr.ReadLine(); err != io.EOF {
		t.Fatalf("end: err %v, want io.EOF", err)
	}
}

// TestReadLineReturnsOwnedCopies checks that a returned line survives later reads (handlers run concurrently).
func TestReadLineReturnsOwnedCopies(t *testing.T) {
	lr := NewLineReaderLimit(strings.NewReader("first\nsecond\n"), 16)
	a, _ := lr.ReadLine()
	b, _ := lr.ReadLine()
	if string(a) != "first" || string(b) != "second" {
		t.Fatalf("got %q, %q", a, b)
	}
}

func TestReadLinePassesOnReadErrors(t *testing.T) {
	boom := errors.New("boom")
	lr := NewLineReaderLimit(io.MultiReader(strings.NewReader("ok\npartial"), iotest.ErrReader(boom)), 16)
	if line, err := lr.ReadLine(); err != nil || string(line) != "ok" {
		t.Fatalf("first line: %q, %v", line, err)
	}
	if _, err := lr.ReadLine(); !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
}

func FuzzReadLine(f *testing.F) {
	f.Add([]byte("abc\ndef"), 4)
	f.Add([]byte("\r\n\n123456789\r\nx"), 8)
	f.Add([]byte(strings.Repeat("z", 100)+"\n\n"), 1)
	f.Fuzz(func(t *testing.T, data []byte, limit int) {
		if limit < 1 || limit > 1<<16 {
			limit = 1 + (limit&0x7fffffff)%64
		}
		got := readAll(t, NewLineReaderLimit(bytes.NewReader(data), limit))
		for _, r := range got {
			if len(r.line) > limit {
				t.Fatalf("line of length %d with limit %d", len(r.line), limit)
			}
			if strings.IndexByte(r.line, '\n') >= 0 {
				t.Fatalf("line contains a newline: %q", r.line)
			}
		}
		// The streaming reader must agree with the obvious whole-input definition.
		if want := referenceLines(data, limit); !equalResults(got, want) {
			t.Fatalf("got %s, want %s", describe(got), describe(want))
		}
	})
}

// referenceLines is the specification of ReadLine on a complete input: split on "\n", strip one "\r", skip
// empty lines, report lines over the limit.
func referenceLines(data []byte, limit int) []result {
	var out []result
	for _, l := range bytes.Split(data, []byte("\n")) {
		l = bytes.TrimSuffix(l, []byte("\r"))
		switch {
		case len(l) == 0:
		case len(l) > limit:
			out = append(out, result{err: ErrLineTooLarge})
		default:
			out = append(out, result{line: string(l)})
		}
	}
	return append(out, result{err: io.EOF})
}

func equalResults(a, b []result) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].line != b[i].line || !errors.Is(a[i].err, b[i].err) {
			return false
		}
	}
	return true
}

func describe(rs []result) string {
	var sb strings.Builder
	for _, r := range rs {
		if r.err != nil {
			sb.WriteString("[" + r.err.Error() + "] ")
			continue
		}
		l := r.line
		if len(l) > 20 {
			l = l[:20] + "…"
		}
		sb.WriteString("\"" + l + "\" ")
	}
	return sb.String()
}
