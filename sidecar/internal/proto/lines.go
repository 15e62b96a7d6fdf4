// Package proto is the sidecar's control protocol: newline-delimited JSON commands from the host on stdin and
// events back on stdout (SPEC §3).
package proto

import (
	"bufio"
	"errors"
	"io"
)

// MaxLine is the largest command line accepted, without its line terminator. Longer lines are drained and
// answered with COMMAND_TOO_LARGE so one bad command cannot exhaust memory or desynchronise the stream.
const MaxLine = 8 << 20

// readChunk is the bufio buffer size: lines up to this size are copied once; longer ones are assembled from chunks.
const readChunk = 64 << 10

// ErrLineTooLarge reports a line longer than the limit. The line has been consumed; the next ReadLine continues
// with the line after it.
var ErrLineTooLarge = errors.New("proto: line too large")

// LineReader splits a byte stream into lines with bounded memory. It is not safe for concurrent use.
type LineReader struct {
	r     *bufio.Reader
	limit int
	buf   []byte // assembly buffer for lines longer than one chunk; reused across calls
}

// NewLineReader reads lines of at most MaxLine bytes from r.
func NewLineReader(r io.Reader) *LineReader { return NewLineReaderLimit(r, MaxLine) }

// NewLineReaderLimit reads lines of at most limit bytes from r (tests and fuzzing use a small limit).
func NewLineReaderLimit(r io.Reader, limit int) *LineReader {
	if limit < 1 {
		limit = 1
	}
	return &LineReader{r: bufio.NewReaderSize(r, readChunk), limit: limit}
}

// ReadLine returns the next non-empty line without its trailing "\n" or "\r\n". The returned slice is a fresh
// copy owned by the caller (commands may be handled on other goroutines). A final line without a terminator is
// returned before io.EOF. A line longer than the limit yields ErrLineTooLarge after it has been drained.
func (lr *LineReader) ReadLine() ([]byte, error) {
	for {
		line, err := lr.readRaw()
		if err != nil {
			return nil, err
		}
		if len(line) > 0 {
			return line, nil
		}
	}
}

// readRaw reads one line (possibly empty) and strips its terminator.
func (lr *LineReader) readRaw() ([]byte, error) {
	lr.buf = lr.buf[:0]
	// A trailing "\r" is not counted against the limit, so up to limit+2 raw bytes ("…\r\n") may be legal.
	rawLimit := lr.limit + 2
	tooLarge := false
	for {
		chunk, err := lr.r.ReadSlice('\n')
		if !tooLarge {
			if len(lr.buf)+len(chunk) > rawLimit {
				// Stop buffering; keep reading only to find the end of this line.
				tooLarge = true
				lr.buf = lr.buf[:0]
			} else {
				lr.buf = append(lr.buf, chunk...)
			}
		}
		switch {
		case err == nil:
			// chunk ends in '\n': the line is complete.
			return lr.finish(tooLarge)
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if tooLarge {
				return nil, ErrLineTooLarge
			}
			if len(lr.buf) == 0 {
				return nil, io.EOF
			}
			// An unterminated final line: hand it out now; the next call sees io.EOF.
			return lr.finish(false)
		default:
			return nil, err
		}
	}
}

// finish strips the terminator, applies the limit and copies the line out of the reusable buffer.
func (lr *LineReader) finish(tooLarge bool) ([]byte, error) {
	if tooLarge {
		lr.shrink()
		return nil, ErrLineTooLarge
	}
	line := lr.buf
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) > lr.limit {
		lr.shrink()
		return nil, ErrLineTooLarge
	}
	out := make([]byte, len(line))
	copy(out, line)
	lr.shrink()
	return out, nil
}

// shrink drops an assembly buffer grown by one huge command so an idle sidecar does not keep megabytes around.
func (lr *LineReader) shrink() {
	if cap(lr.buf) > 4*readChunk {
		lr.buf = nil
	}
}
