package proto

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// Writer sends events one JSON object per line. Events come from many goroutines (command handlers, peer
// watchers, dial results), so each line goes out in a single Write under a mutex and lines never interleave.
// Nothing else may write to the underlying writer: stdout carries only protocol lines.
type Writer struct {
	mu sync.Mutex
	w  io.Writer
}

// NewWriter writes events to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Send writes e as one line. Marshalling happens outside the lock so a large peer list does not stall others.
func (w *Writer) Send(e Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("proto: marshal %s: %w", e.Event, err)
	}
	b = append(b, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.w.Write(b)
	return err
}

// SendError writes a tsnet:error event.
func (w *Writer) SendError(code, message, requestID string) error {
	return w.Send(ErrorEvent(code, message, requestID))
}
