// A webhookd receiver in Go, using the webhookd SDK's verifier.
//
// It verifies the signature over the raw body (stale timestamps are
// rejected), deduplicates by event id, answers 200 at once and processes the
// event in a background goroutine.
//
//	WEBHOOK_SECRET=... PORT=9000 go run .
package main

import (
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/webhookd/webhookd/clients/go/verify"
)

type event struct {
	id   string
	body []byte
}

type receiver struct {
	secrets []string // several while you rotate yours
	mu      sync.Mutex
	seen    map[string]bool // production: a table with a unique key
	work    chan event
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20)) // raw bytes
	if err != nil {
		reply(w, http.StatusBadRequest, map[string]any{"error": "unreadable body"})
		return
	}
	// A zero tolerance means verify.DefaultTolerance: 5 minutes.
	if err := verify.Verify(body, r.Header, rc.secrets, 0); err != nil {
		code := "signature_mismatch"
		switch {
		case errors.Is(err, verify.ErrTimestampOutOfTolerance):
			code = "timestamp_out_of_tolerance"
		case errors.Is(err, verify.ErrMalformedHeader):
			code = "malformed_header"
		}
		reply(w, http.StatusUnauthorized, map[string]any{"error": code})
		return
	}

	id := r.Header.Get(verify.HeaderID)
	rc.mu.Lock()
	duplicate := rc.seen[id]
	rc.seen[id] = true
	rc.mu.Unlock()
	if !duplicate {
		rc.work <- event{id, body}
	}
	reply(w, http.StatusOK, map[string]any{"duplicate": duplicate})
}

func reply(w http.ResponseWriter, status int, answer map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(answer)
}

// process is the slow part: it runs after webhookd already has its 200.
func process(work <-chan event) {
	for e := range work {
		log.Printf("processing %s: %s", e.id, e.body)
	}
}

func main() {
	rc := &receiver{
		secrets: strings.Split(os.Getenv("WEBHOOK_SECRET"), ","),
		seen:    map[string]bool{},
		work:    make(chan event, 1024),
	}
	go process(rc.work)
	addr := "127.0.0.1:" + envOr("PORT", "9000")
	log.Printf("listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, rc))
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}
