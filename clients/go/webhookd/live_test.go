package webhookd_test

// Every call of the client against a webhookd of its own, started from
// $WEBHOOKD_BIN (or target/debug/webhookd) with its own config and SQLite
// file: the results, the error type on real errors, API keys, and a Dispatch
// retried across a restart of the server.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/webhookd/webhookd/clients/go/webhookd"
	"github.com/webhookd/webhookd/clients/go/webhookv1"
)

// liveConfig keeps deliveries short: one attempt, then the dead-letter queue.
const liveConfig = `webhook_engine:
  signing_secret: live-test-signing-secret-0123456789
  max_payload_bytes: 1024
  default_timeout_seconds: 2
retry_policy:
  max_attempts: 1
  initial_delay_seconds: 0.1
security:
  allowed_networks: ["127.0.0.0/8"]
`

// daemon is a webhookd process on a fixed port and database, so that it can
// be stopped and started again in the same place.
type daemon struct {
	t        *testing.T
	bin      string
	dir      string
	addr     string
	logPath  string
	cmd      *exec.Cmd
	finished chan struct{}
}

func webhookdBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("WEBHOOKD_BIN")
	if bin == "" {
		bin = filepath.Join("..", "..", "..", "target", "debug", "webhookd")
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("WEBHOOKD_ADDR") != "" {
			t.Fatalf("no webhookd binary at %s (set WEBHOOKD_BIN)", bin)
		}
		t.Skipf("no webhookd binary at %s (set WEBHOOKD_BIN or run clients/test.sh)", bin)
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func freePort(t *testing.T) int {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	return lis.Addr().(*net.TCPAddr).Port
}

// catalogConfig is liveConfig with an event-type catalog that refuses
// unknown types: order.created with a JSON Schema, order.noted without.
const catalogConfig = liveConfig + `event_catalog:
  unknown_types: refuse
  types:
    - name: order.created
      description: An order was placed
      schema:
        type: object
        required: [order_id, total]
        properties:
          order_id: {type: string}
          total: {type: number, minimum: 0}
    - name: order.noted
`

func startDaemon(t *testing.T) *daemon {
	t.Helper()
	return startDaemonWithConfig(t, liveConfig)
}

// startDaemonWithConfig starts a webhookd of its own with this config.
func startDaemonWithConfig(t *testing.T, config string) *daemon {
	t.Helper()
	d := &daemon{t: t, bin: webhookdBinary(t), dir: t.TempDir()}
	d.addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	d.logPath = filepath.Join(d.dir, "webhookd.log")
	if err := os.WriteFile(filepath.Join(d.dir, "config.yaml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	d.start()
	t.Cleanup(d.stop)
	return d
}

// start runs webhookd and waits until it logs that it is listening.
func (d *daemon) start() {
	d.t.Helper()
	logFile, err := os.OpenFile(d.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		d.t.Fatal(err)
	}
	defer logFile.Close()
	d.cmd = exec.Command(d.bin, "serve",
		"--config", filepath.Join(d.dir, "config.yaml"),
		"--database-url", "sqlite://"+filepath.Join(d.dir, "webhookd.db"),
		"--grpc-addr", d.addr, "--http-addr", "127.0.0.1:0", "--log-format", "json")
	d.cmd.Stderr = logFile
	d.cmd.Stdout = logFile
	if err := d.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.finished = make(chan struct{})
	go func(cmd *exec.Cmd, finished chan struct{}) {
		cmd.Wait()
		close(finished)
	}(d.cmd, d.finished)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if d.listening() {
			return
		}
		select {
		case <-d.finished:
			d.t.Fatalf("webhookd exited at start:\n%s", d.log())
		case <-time.After(20 * time.Millisecond):
		}
	}
	d.t.Fatalf("webhookd did not start within 20 s:\n%s", d.log())
}

func (d *daemon) listening() bool {
	file, err := os.Open(d.logPath)
	if err != nil {
		return false
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		var line struct {
			Message  string `json:"message"`
			GRPCAddr string `json:"grpc_addr"`
		}
		if json.Unmarshal(scanner.Bytes(), &line) == nil && line.Message == "webhookd listening" {
			return true
		}
	}
	return false
}

func (d *daemon) log() string {
	content, _ := os.ReadFile(d.logPath)
	return string(content)
}

// stop ends webhookd with SIGTERM (SIGKILL after 10 s) and waits for it.
func (d *daemon) stop() {
	if d.cmd == nil {
		return
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.finished:
	case <-time.After(10 * time.Second):
		d.cmd.Process.Kill()
		<-d.finished
	}
	d.cmd = nil
}

// closedURL is a loopback URL where nothing listens: deliveries to it fail
// with "connect" at once.
func closedURL(t *testing.T) string {
	return fmt.Sprintf("http://127.0.0.1:%d/hook", freePort(t))
}

// wantError fails the test unless err is an *Error with this code and reason.
func wantError(t *testing.T, err error, code codes.Code, reason string) *webhookd.Error {
	t.Helper()
	var werr *webhookd.Error
	if !errors.As(err, &werr) {
		t.Fatalf("error = %v (%T), want a *webhookd.Error", err, err)
	}
	if werr.Code != code || werr.Reason != reason {
		t.Fatalf("error = %v (code %v, reason %q), want code %v, reason %q", werr, werr.Code, werr.Reason, code, reason)
	}
	return werr
}

// eventually retries check until it returns true, for 15 s at most.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 15 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestLive(t *testing.T) {
	d := startDaemon(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := newClient(t, d.addr)
	started := time.Now().Add(-time.Second)

	const secret = "live-endpoint-secret-0123456789abcd"
	var endpoint *webhookd.Endpoint

	t.Run("endpoints", func(t *testing.T) {
		var err error
		endpoint, err = client.CreateEndpoint(ctx, closedURL(t), []string{"live.*"},
			&webhookd.CreateEndpointOptions{ID: "ep_live", Secret: secret})
		if err != nil {
			t.Fatal(err)
		}
		if endpoint.ID != "ep_live" || !endpoint.Active || endpoint.Origin != "api" || endpoint.SecretHint != "abcd" ||
			endpoint.SignatureScheme != webhookd.SignatureSchemeWebhookd || endpoint.CreatedAt.Before(started) ||
			endpoint.DisabledAt != nil || !slices.Equal(endpoint.EventTypes, []string{"live.*"}) {
			t.Errorf("CreateEndpoint = %+v", endpoint)
		}
		standard, err := client.CreateEndpoint(ctx, closedURL(t), []string{"other.*"}, &webhookd.CreateEndpointOptions{
			ID: "ep_standard", Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Disabled: true,
			SignatureScheme: webhookd.SignatureSchemeStandard,
		})
		if err != nil {
			t.Fatal(err)
		}
		if standard.SignatureScheme != webhookd.SignatureSchemeStandard || standard.Active {
			t.Errorf("standard endpoint = %+v", standard)
		}

		got, err := client.GetEndpoint(ctx, "ep_live")
		if err != nil || got.URL != endpoint.URL || !got.CreatedAt.Equal(endpoint.CreatedAt) {
			t.Errorf("GetEndpoint = %+v, %v", got, err)
		}

		var ids []string
		var token string
		for pages := 0; ; pages++ {
			page, err := client.ListEndpoints(ctx, &webhookd.ListEndpointsOptions{PageSize: 1, PageToken: token})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) > 1 || pages > 10 {
				t.Fatalf("page of %d items (page %d)", len(page.Items), pages)
			}
			for _, item := range page.Items {
				ids = append(ids, item.ID)
			}
			if token = page.NextPageToken; token == "" {
				break
			}
		}
		if !slices.Contains(ids, "ep_live") || !slices.Contains(ids, "ep_standard") {
			t.Errorf("ListEndpoints pages = %v", ids)
		}

		newURL := closedURL(t)
		updated, err := client.UpdateEndpoint(ctx, "ep_live", webhookd.EndpointUpdate{URL: newURL})
		if err != nil || updated.URL != newURL || !slices.Equal(updated.EventTypes, []string{"live.*"}) {
			t.Errorf("UpdateEndpoint(url) = %+v, %v", updated, err)
		}
		updated, err = client.UpdateEndpoint(ctx, "ep_live", webhookd.EndpointUpdate{EventTypes: []string{"live.*", "extra.event"}})
		if err != nil || updated.URL != newURL || len(updated.EventTypes) != 2 {
			t.Errorf("UpdateEndpoint(event_types) = %+v, %v", updated, err)
		}
		endpoint = updated

		disabled, err := client.DisableEndpoint(ctx, "ep_live", "maintenance window")
		if err != nil || disabled.Active || disabled.DisabledReason != "maintenance window" || disabled.DisabledAt == nil {
			t.Errorf("DisableEndpoint = %+v, %v", disabled, err)
		}
		enabled, err := client.EnableEndpoint(ctx, "ep_live")
		if err != nil || !enabled.Active || enabled.DisabledAt != nil {
			t.Errorf("EnableEndpoint = %+v, %v", enabled, err)
		}

		rotated, err := client.RotateEndpointSecret(ctx, "ep_live", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		expires := rotated.Endpoint.PreviousSecretExpiresAt
		if len(rotated.NewSecret) < 24 || rotated.Endpoint.SecretHint != rotated.NewSecret[len(rotated.NewSecret)-4:] ||
			expires == nil || expires.Sub(time.Now()) < 59*time.Minute || expires.Sub(time.Now()) > 61*time.Minute {
			t.Errorf("RotateEndpointSecret = %+v", rotated)
		}

		cancelled, err := client.DeleteEndpoint(ctx, "ep_standard")
		if err != nil || cancelled != 0 {
			t.Errorf("DeleteEndpoint = %d, %v", cancelled, err)
		}
		_, err = client.GetEndpoint(ctx, "ep_standard")
		wantError(t, err, codes.NotFound, "ENDPOINT_NOT_FOUND")
	})
	if endpoint == nil {
		t.Fatal("no endpoint to send to")
	}

	t.Run("custom headers", func(t *testing.T) {
		created, err := client.CreateEndpoint(ctx, closedURL(t), []string{"headers.*"}, &webhookd.CreateEndpointOptions{
			ID: "ep_headers", Headers: map[string]string{"Authorization": "Bearer t", "X-Tenant": "acme"},
		})
		if err != nil {
			t.Fatal(err)
		}
		// Stored by lower-case name; credential values read back as ***.
		if want := map[string]string{"authorization": "***", "x-tenant": "acme"}; !maps.Equal(created.Headers, want) {
			t.Errorf("CreateEndpoint headers = %v, want %v", created.Headers, want)
		}
		got, err := client.GetEndpoint(ctx, "ep_headers")
		if err != nil || !maps.Equal(got.Headers, created.Headers) {
			t.Errorf("GetEndpoint = %+v, %v", got, err)
		}

		updated, err := client.UpdateEndpoint(ctx, "ep_headers", webhookd.EndpointUpdate{Headers: map[string]string{"X-Tenant": "globex", "X-Api-Key": "k"}})
		if want := map[string]string{"x-tenant": "globex", "x-api-key": "***"}; err != nil || !maps.Equal(updated.Headers, want) {
			t.Errorf("UpdateEndpoint(headers) = %+v, %v; want headers %v", updated, err, want)
		}
		// An update without Headers keeps them.
		updated, err = client.UpdateEndpoint(ctx, "ep_headers", webhookd.EndpointUpdate{EventTypes: []string{"headers.changed"}})
		if err != nil || len(updated.Headers) != 2 || !slices.Equal(updated.EventTypes, []string{"headers.changed"}) {
			t.Errorf("UpdateEndpoint(event_types) = %+v, %v; want the headers kept", updated, err)
		}
		// An empty map removes them all.
		updated, err = client.UpdateEndpoint(ctx, "ep_headers", webhookd.EndpointUpdate{Headers: map[string]string{}})
		if err != nil || updated.Headers == nil || len(updated.Headers) != 0 {
			t.Errorf("UpdateEndpoint(no headers) = %+v, %v; want an empty map", updated, err)
		}

		_, err = client.CreateEndpoint(ctx, closedURL(t), []string{"headers.*"}, &webhookd.CreateEndpointOptions{
			ID: "ep_reserved", Headers: map[string]string{"X-Webhook-Signature": "forged"},
		})
		werr := wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
		if !strings.Contains(werr.Message, "X-Webhook-Signature") || len(werr.FieldViolations) != 1 ||
			werr.FieldViolations[0].Field != "headers.X-Webhook-Signature" {
			t.Errorf("reserved header error = %q, field violations %+v", werr.Message, werr.FieldViolations)
		}
		_, err = client.UpdateEndpoint(ctx, "ep_headers", webhookd.EndpointUpdate{Headers: map[string]string{"Content-Type": "text/plain"}})
		werr = wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
		if len(werr.FieldViolations) != 1 || werr.FieldViolations[0].Field != "endpoint.headers.Content-Type" {
			t.Errorf("reserved header in an update: field violations %+v", werr.FieldViolations)
		}
		_, err = client.GetEndpoint(ctx, "ep_reserved")
		wantError(t, err, codes.NotFound, "ENDPOINT_NOT_FOUND")

		if _, err := client.DeleteEndpoint(ctx, "ep_headers"); err != nil {
			t.Errorf("DeleteEndpoint = %v", err)
		}
	})

	t.Run("retry schedule", func(t *testing.T) {
		schedule := webhookd.RetrySchedule{MaxAttempts: 3, Delays: []time.Duration{200 * time.Millisecond, time.Second}}
		created, err := client.CreateEndpoint(ctx, closedURL(t), []string{"retry.*"}, &webhookd.CreateEndpointOptions{
			ID: "ep_retry", RetryPolicy: &schedule,
		})
		if err != nil {
			t.Fatal(err)
		}
		if created.RetryPolicy == nil || !equalSchedules(*created.RetryPolicy, schedule) {
			t.Errorf("CreateEndpoint RetryPolicy = %+v, want %+v", created.RetryPolicy, schedule)
		}
		got, err := client.GetEndpoint(ctx, "ep_retry")
		if err != nil || got.RetryPolicy == nil || !equalSchedules(*got.RetryPolicy, schedule) {
			t.Errorf("GetEndpoint = %+v, %v; want RetryPolicy %+v", got, err, schedule)
		}
		// An endpoint created without one follows the config's.
		if plain, err := client.GetEndpoint(ctx, "ep_live"); err != nil || plain.RetryPolicy != nil {
			t.Errorf("GetEndpoint(ep_live) = %+v, %v; want no RetryPolicy", plain, err)
		}

		// An update of other fields keeps it.
		updated, err := client.UpdateEndpoint(ctx, "ep_retry", webhookd.EndpointUpdate{EventTypes: []string{"retry.changed"}})
		if err != nil || updated.RetryPolicy == nil || !equalSchedules(*updated.RetryPolicy, schedule) {
			t.Errorf("UpdateEndpoint(event_types) = %+v, %v; want the schedule kept", updated, err)
		}
		// A new one replaces it.
		attemptsOnly := webhookd.RetrySchedule{MaxAttempts: 5}
		updated, err = client.UpdateEndpoint(ctx, "ep_retry", webhookd.EndpointUpdate{RetryPolicy: &attemptsOnly})
		if err != nil || updated.RetryPolicy == nil || !equalSchedules(*updated.RetryPolicy, attemptsOnly) {
			t.Errorf("UpdateEndpoint(retry_policy) = %+v, %v; want RetryPolicy %+v", updated, err, attemptsOnly)
		}
		// Clearing it goes back to the config's.
		updated, err = client.UpdateEndpoint(ctx, "ep_retry", webhookd.EndpointUpdate{ClearRetryPolicy: true})
		if err != nil || updated.RetryPolicy != nil {
			t.Errorf("UpdateEndpoint(ClearRetryPolicy) = %+v, %v; want no RetryPolicy", updated, err)
		}
		if got, err := client.GetEndpoint(ctx, "ep_retry"); err != nil || got.RetryPolicy != nil {
			t.Errorf("GetEndpoint after clearing = %+v, %v; want no RetryPolicy", got, err)
		}

		// Invalid schedules: INVALID_ARGUMENT naming the field.
		wantViolation := func(err error, field string) {
			t.Helper()
			var werr *webhookd.Error
			if !errors.As(err, &werr) {
				t.Fatalf("error = %v (%T), want a *webhookd.Error", err, err)
			}
			if werr.Code != codes.InvalidArgument || len(werr.FieldViolations) != 1 || werr.FieldViolations[0].Field != field {
				t.Errorf("error = %v (code %v, field violations %+v), want InvalidArgument on %s", werr, werr.Code, werr.FieldViolations, field)
			}
		}
		_, err = client.CreateEndpoint(ctx, closedURL(t), []string{"retry.*"}, &webhookd.CreateEndpointOptions{
			ID: "ep_retry_invalid", RetryPolicy: &webhookd.RetrySchedule{MaxAttempts: 101},
		})
		wantViolation(err, "retry_policy.max_attempts")
		_, err = client.GetEndpoint(ctx, "ep_retry_invalid")
		wantError(t, err, codes.NotFound, "ENDPOINT_NOT_FOUND")
		_, err = client.UpdateEndpoint(ctx, "ep_retry", webhookd.EndpointUpdate{
			RetryPolicy: &webhookd.RetrySchedule{MaxAttempts: 3, Delays: []time.Duration{time.Second, -time.Second}},
		})
		wantViolation(err, "endpoint.retry_policy.delays_seconds[1]")
		if got, err := client.GetEndpoint(ctx, "ep_retry"); err != nil || got.RetryPolicy != nil {
			t.Errorf("GetEndpoint after a refused update = %+v, %v; want no RetryPolicy", got, err)
		}

		if _, err := client.DeleteEndpoint(ctx, "ep_retry"); err != nil {
			t.Errorf("DeleteEndpoint = %v", err)
		}
	})

	t.Run("payload filter", func(t *testing.T) {
		// Numbers come back as float64.
		wantFilter := map[string]any{"amount": map[string]any{"$gte": float64(100)}}
		created, err := client.CreateEndpoint(ctx, closedURL(t), []string{"filter.payment"}, &webhookd.CreateEndpointOptions{
			ID: "ep_filter", Filter: map[string]any{"amount": map[string]any{"$gte": 100}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(created.Filter, wantFilter) {
			t.Errorf("CreateEndpoint Filter = %#v, want %#v", created.Filter, wantFilter)
		}
		got, err := client.GetEndpoint(ctx, "ep_filter")
		if err != nil || !reflect.DeepEqual(got.Filter, wantFilter) {
			t.Errorf("GetEndpoint = %+v, %v; want Filter %#v", got, err, wantFilter)
		}
		// An endpoint created without one has none.
		if plain, err := client.GetEndpoint(ctx, "ep_live"); err != nil || plain.Filter != nil {
			t.Errorf("GetEndpoint(ep_live) = %+v, %v; want no Filter", plain, err)
		}

		// deliveriesOf lists the deliveries of an event to ep_filter.
		deliveriesOf := func(eventID string) []webhookd.Delivery {
			t.Helper()
			page, err := client.ListDeliveries(ctx, &webhookd.ListDeliveriesOptions{
				Filter: webhookd.DeliveryFilter{EndpointID: "ep_filter"}, PageSize: 1000,
			})
			if err != nil {
				t.Fatal(err)
			}
			var out []webhookd.Delivery
			for _, delivery := range page.Items {
				if delivery.EventID == eventID {
					out = append(out, delivery)
				}
			}
			return out
		}

		// A payload that does not match: the event is stored, but not
		// routed to the endpoint.
		small, err := client.Dispatch(ctx, "filter.payment", map[string]any{"amount": 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(small.DeliveryIDs) != 0 {
			t.Errorf("Dispatch(amount 50) = %+v, want no deliveries", small)
		}
		if deliveries := deliveriesOf(small.EventID); len(deliveries) != 0 {
			t.Errorf("ListDeliveries(ep_filter) for amount 50 = %+v, want none", deliveries)
		}
		if detail, err := client.GetEvent(ctx, small.EventID); err != nil || len(detail.Deliveries) != 0 {
			t.Errorf("GetEvent(amount 50) = %+v, %v; want the event without deliveries", detail, err)
		}
		// One that matches is.
		large, err := client.Dispatch(ctx, "filter.payment", map[string]any{"amount": 150})
		if err != nil {
			t.Fatal(err)
		}
		if len(large.DeliveryIDs) != 1 {
			t.Errorf("Dispatch(amount 150) = %+v, want one delivery", large)
		}
		if deliveries := deliveriesOf(large.EventID); len(deliveries) != 1 || !slices.Equal(large.DeliveryIDs, []string{deliveries[0].ID}) {
			t.Errorf("ListDeliveries(ep_filter) for amount 150 = %+v, want %v", deliveries, large.DeliveryIDs)
		}

		// Once a delivery was attempted: the endpoint's concurrency, and the
		// retry budget.
		eventually(t, "the matching delivery is attempted", func() bool {
			detail, err := client.GetEvent(ctx, large.EventID)
			return err == nil && len(detail.Deliveries) == 1 && detail.Deliveries[0].AttemptCount == 1 &&
				detail.Deliveries[0].State == webhookd.DeliveryStateDead
		})
		metrics, err := client.GetMetrics(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var concurrency *webhookd.EndpointStatus
		for i := range metrics.Endpoints {
			if metrics.Endpoints[i].EndpointID == "ep_filter" {
				concurrency = &metrics.Endpoints[i]
			}
		}
		if concurrency == nil {
			t.Errorf("GetMetrics endpoints = %+v, want ep_filter", metrics.Endpoints)
		} else if concurrency.ConcurrencyLimit < 1 || concurrency.ConcurrencyWindow < 1 || concurrency.ConcurrencyWindow > concurrency.ConcurrencyLimit {
			t.Errorf("ep_filter concurrency: window %d, limit %d; want 1 <= window <= limit", concurrency.ConcurrencyWindow, concurrency.ConcurrencyLimit)
		}
		if metrics.RetryBudgetSlots < 1 {
			t.Errorf("GetMetrics RetryBudgetSlots = %d (in flight %d, deferred %d), want at least 1",
				metrics.RetryBudgetSlots, metrics.RetriesInFlight, metrics.RetriesDeferred)
		}

		// A new filter replaces it; an update of other fields keeps it.
		updated, err := client.UpdateEndpoint(ctx, "ep_filter", webhookd.EndpointUpdate{Filter: map[string]any{"amount": map[string]any{"$lt": 100}}})
		if want := map[string]any{"amount": map[string]any{"$lt": float64(100)}}; err != nil || !reflect.DeepEqual(updated.Filter, want) {
			t.Errorf("UpdateEndpoint(filter) = %+v, %v; want Filter %#v", updated, err, want)
		}
		updated, err = client.UpdateEndpoint(ctx, "ep_filter", webhookd.EndpointUpdate{Filter: map[string]any{"amount": map[string]any{"$gte": 100}}})
		if err != nil || !reflect.DeepEqual(updated.Filter, wantFilter) {
			t.Errorf("UpdateEndpoint(filter) = %+v, %v; want Filter %#v", updated, err, wantFilter)
		}
		updated, err = client.UpdateEndpoint(ctx, "ep_filter", webhookd.EndpointUpdate{EventTypes: []string{"filter.payment", "filter.refund"}})
		if err != nil || !reflect.DeepEqual(updated.Filter, wantFilter) {
			t.Errorf("UpdateEndpoint(event_types) = %+v, %v; want the filter kept", updated, err)
		}
		// Removing it: every event of its types is routed to it again.
		updated, err = client.UpdateEndpoint(ctx, "ep_filter", webhookd.EndpointUpdate{ClearFilter: true})
		if err != nil || updated.Filter != nil {
			t.Errorf("UpdateEndpoint(ClearFilter) = %+v, %v; want no Filter", updated, err)
		}
		if got, err := client.GetEndpoint(ctx, "ep_filter"); err != nil || got.Filter != nil {
			t.Errorf("GetEndpoint after clearing = %+v, %v; want no Filter", got, err)
		}
		unfiltered, err := client.Dispatch(ctx, "filter.payment", map[string]any{"amount": 50})
		if err != nil || len(unfiltered.DeliveryIDs) != 1 {
			t.Errorf("Dispatch(amount 50) without the filter = %+v, %v; want one delivery", unfiltered, err)
		}

		// Invalid filters: INVALID_ARGUMENT, with a field violation under
		// the filter.
		wantViolation := func(err error, prefix string) {
			t.Helper()
			var werr *webhookd.Error
			if !errors.As(err, &werr) {
				t.Fatalf("error = %v (%T), want a *webhookd.Error", err, err)
			}
			if werr.Code != codes.InvalidArgument || len(werr.FieldViolations) == 0 || !strings.HasPrefix(werr.FieldViolations[0].Field, prefix) {
				t.Errorf("error = %v (code %v, field violations %+v), want InvalidArgument on %s...", werr, werr.Code, werr.FieldViolations, prefix)
			}
		}
		invalid := map[string]any{"amount": map[string]any{"$regex": "x"}}
		_, err = client.CreateEndpoint(ctx, closedURL(t), []string{"filter.payment"}, &webhookd.CreateEndpointOptions{
			ID: "ep_filter_invalid", Filter: invalid,
		})
		wantViolation(err, "filter")
		_, err = client.GetEndpoint(ctx, "ep_filter_invalid")
		wantError(t, err, codes.NotFound, "ENDPOINT_NOT_FOUND")
		_, err = client.UpdateEndpoint(ctx, "ep_filter", webhookd.EndpointUpdate{Filter: invalid})
		wantViolation(err, "endpoint.filter")
		if got, err := client.GetEndpoint(ctx, "ep_filter"); err != nil || got.Filter != nil {
			t.Errorf("GetEndpoint after a refused update = %+v, %v; want no Filter", got, err)
		}

		if _, err := client.DeleteEndpoint(ctx, "ep_filter"); err != nil {
			t.Errorf("DeleteEndpoint = %v", err)
		}
	})

	t.Run("dispatch and the event log", func(t *testing.T) {
		// Canonical JSON (sorted keys, no spaces), so that the stored text is
		// byte for byte the same; the numbers keep their exact text.
		payload := json.RawMessage(`{"big":18446744073709551616,"order_id":"ord_1","total":99.990}`)
		first, err := client.Dispatch(ctx, "live.order.created", payload, webhookd.WithIdempotencyKey("live-order-1"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(first.EventID, "evt_") || len(first.DeliveryIDs) != 1 || first.Duplicate {
			t.Errorf("Dispatch = %+v", first)
		}
		again, err := client.Dispatch(ctx, "live.order.created", payload, webhookd.WithIdempotencyKey("live-order-1"))
		if err != nil || again.EventID != first.EventID || !again.Duplicate || !slices.Equal(again.DeliveryIDs, first.DeliveryIDs) {
			t.Errorf("second Dispatch = %+v, %v; want the duplicate of %+v", again, err, first)
		}
		auto, err := client.Dispatch(ctx, "live.order.updated", map[string]any{"order_id": "ord_1"}, webhookd.WithEndpointIDs("ep_live"))
		if err != nil {
			t.Fatal(err)
		}

		// The single attempt fails (nothing listens), so the delivery dies.
		var detail *webhookd.EventDetail
		eventually(t, "the delivery is dead", func() bool {
			detail, err = client.GetEvent(ctx, first.EventID)
			return err == nil && len(detail.Deliveries) == 1 && detail.Deliveries[0].State == webhookd.DeliveryStateDead
		})
		if detail.Event.ID != first.EventID || detail.Event.EventType != "live.order.created" ||
			string(detail.Event.PayloadJSON) != string(payload) || detail.Event.IdempotencyKey != "live-order-1" ||
			detail.Event.CreatedAt.Before(started) || detail.Event.OrderingKey != "" {
			t.Errorf("GetEvent event = %+v", detail.Event)
		}
		delivery := detail.Deliveries[0]
		if delivery.ID != first.DeliveryIDs[0] || delivery.EndpointID != "ep_live" || delivery.AttemptCount != 1 ||
			len(delivery.Attempts) != 1 || delivery.Attempts[0].Number != 1 || delivery.Attempts[0].ErrorKind != "connect" ||
			delivery.Attempts[0].StartedAt.Before(started) || delivery.OrderingKey != "" || delivery.WaitingForOrderingKey {
			t.Errorf("GetEvent delivery = %+v", delivery)
		}
		autoDetail, err := client.GetEvent(ctx, auto.EventID)
		if err != nil || !strings.HasPrefix(autoDetail.Event.IdempotencyKey, "sdk-") {
			t.Errorf("the generated idempotency key = %+v, %v; want sdk-...", autoDetail, err)
		}

		events, err := client.ListEvents(ctx, &webhookd.ListEventsOptions{EventTypes: []string{"live.order.*"}, StartTime: started, PageSize: 10})
		if err != nil {
			t.Fatal(err)
		}
		var eventIDs []string
		for _, event := range events.Items {
			eventIDs = append(eventIDs, event.ID)
		}
		if !slices.Equal(eventIDs, []string{first.EventID, auto.EventID}) {
			t.Errorf("ListEvents = %v, want [%s %s]", eventIDs, first.EventID, auto.EventID)
		}
		page, err := client.ListEvents(ctx, &webhookd.ListEventsOptions{EventTypes: []string{"live.order.*"}, PageSize: 1})
		if err != nil || len(page.Items) != 1 || page.NextPageToken == "" {
			t.Errorf("ListEvents page of 1 = %+v, %v", page, err)
		}

		eventually(t, "both deliveries are dead", func() bool {
			dead, err := client.ListDeliveries(ctx, &webhookd.ListDeliveriesOptions{
				Filter: webhookd.DeliveryFilter{EndpointID: "ep_live", States: []webhookd.DeliveryState{webhookd.DeliveryStateDead}},
			})
			return err == nil && len(dead.Items) == 2
		})
		letters, err := client.ListDeadLetters(ctx, &webhookd.ListDeliveriesOptions{
			Filter: webhookd.DeliveryFilter{EndpointID: "ep_live", EventTypes: []string{"live.order.created"}},
		})
		if err != nil || len(letters.Items) != 1 || letters.Items[0].ID != delivery.ID || letters.Items[0].State != webhookd.DeliveryStateDead {
			t.Errorf("ListDeadLetters = %+v, %v", letters, err)
		}

		count, err := client.RedriveDeadLetters(ctx, &webhookd.RedriveOptions{DeliveryIDs: []string{delivery.ID}, DryRun: true})
		if err != nil || count != 1 {
			t.Errorf("RedriveDeadLetters dry run = %d, %v", count, err)
		}
		count, err = client.RedriveDeadLetters(ctx, &webhookd.RedriveOptions{DeliveryIDs: []string{delivery.ID}})
		if err != nil || count != 1 {
			t.Errorf("RedriveDeadLetters = %d, %v", count, err)
		}

		dry, err := client.Replay(ctx, first.EventID, &webhookd.ReplayOptions{DryRun: true})
		if err != nil || dry.Count != 1 || len(dry.DeliveryIDs) != 0 {
			t.Errorf("Replay dry run = %+v, %v", dry, err)
		}
		replayed, err := client.Replay(ctx, first.EventID, nil)
		if err != nil || replayed.Count != 1 || len(replayed.DeliveryIDs) != 1 {
			t.Errorf("Replay = %+v, %v", replayed, err)
		}
		matching, err := client.ReplayMatching(ctx, webhookd.DeliveryFilter{EndpointID: "ep_live", EventTypes: []string{"live.order.updated"}},
			&webhookd.ReplayMatchingOptions{DryRun: true, MaxPerSecond: 10})
		if err != nil || matching.Count != 1 {
			t.Errorf("ReplayMatching dry run = %+v, %v", matching, err)
		}

		metrics, err := client.GetMetrics(ctx, &webhookd.MetricsOptions{Window: 10 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if metrics.Window != 10*time.Minute || metrics.Attempted < 2 || metrics.Failed < 2 || metrics.FailuresByErrorKind["connect"] < 2 ||
			metrics.DeadLettered < 2 || metrics.SuccessRate != 0 {
			t.Errorf("GetMetrics = %+v", metrics)
		}
		perEndpoint, err := client.GetMetrics(ctx, &webhookd.MetricsOptions{EndpointID: "ep_live"})
		if err != nil || len(perEndpoint.Endpoints) != 1 || perEndpoint.Endpoints[0].EndpointID != "ep_live" || perEndpoint.Endpoints[0].Attempted < 2 {
			t.Errorf("GetMetrics(ep_live) = %+v, %v", perEndpoint, err)
		}

		stream, err := client.StreamDeliveries(ctx, webhookd.StreamFilter{
			EndpointIDs: []string{"ep_live"}, EventTypes: []string{"live.order.created"}, SinceTime: started,
		})
		if err != nil {
			t.Fatal(err)
		}
		// The history since the start of the test: the updates of the first
		// event's delivery, up to its death. The replay above made another
		// delivery of that event; its updates may come first.
		var kinds []webhookd.UpdateKind
		for update, err := range stream.All() {
			if err != nil {
				t.Fatal(err)
			}
			if update.Kind == webhookd.UpdateKindHeartbeat {
				continue
			}
			if update.EventID == first.EventID && len(replayed.DeliveryIDs) == 1 && update.DeliveryID == replayed.DeliveryIDs[0] {
				continue
			}
			if update.EventID != first.EventID || update.DeliveryID != delivery.ID || update.EventType != "live.order.created" ||
				update.OccurredAt.Before(started) {
				t.Errorf("update = %+v", update)
			}
			kinds = append(kinds, update.Kind)
			if update.Kind == webhookd.UpdateKindDeadLettered {
				if update.State != webhookd.DeliveryStateDead || update.ErrorKind != "connect" {
					t.Errorf("dead_lettered update = %+v", update)
				}
				break
			}
		}
		if len(kinds) == 0 || kinds[len(kinds)-1] != webhookd.UpdateKindDeadLettered {
			t.Errorf("update kinds = %v, want ... dead_lettered", kinds)
		}

		cancelled, err := client.DeleteEndpoint(ctx, "ep_live")
		if err != nil || cancelled < 0 {
			t.Errorf("DeleteEndpoint = %d, %v", cancelled, err)
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := client.Dispatch(ctx, "Not A Type", map[string]any{})
		werr := wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
		if len(werr.FieldViolations) != 1 || werr.FieldViolations[0].Field != "event_type" || werr.FieldViolations[0].Description == "" {
			t.Errorf("field violations = %+v", werr.FieldViolations)
		}
		_, err = client.Dispatch(ctx, "live.big", map[string]any{"blob": strings.Repeat("x", 2048)})
		werr = wantError(t, err, codes.ResourceExhausted, "PAYLOAD_TOO_LARGE")
		if werr.Metadata["limit"] != "1024" || werr.Message == "" {
			t.Errorf("metadata = %v, message %q", werr.Metadata, werr.Message)
		}
		_, err = client.GetEndpoint(ctx, "ep_missing")
		wantError(t, err, codes.NotFound, "ENDPOINT_NOT_FOUND")
		_, err = client.Dispatch(ctx, "live.order.created", map[string]any{}, webhookd.WithEndpointIDs("ep_missing"))
		wantError(t, err, codes.NotFound, "ENDPOINT_NOT_FOUND")

		// Ordering keys: 255 characters at most.
		_, err = client.Dispatch(ctx, "live.ordering", map[string]any{}, webhookd.WithOrderingKey(strings.Repeat("k", 256)))
		werr = wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
		if len(werr.FieldViolations) != 1 || werr.FieldViolations[0].Field != "ordering_key" || werr.FieldViolations[0].Description == "" {
			t.Errorf("256-character ordering key: field violations %+v", werr.FieldViolations)
		}
		longest := strings.Repeat("k", 255)
		accepted, err := client.Dispatch(ctx, "live.ordering", map[string]any{}, webhookd.WithOrderingKey(longest))
		if err != nil {
			t.Fatalf("Dispatch with a 255-character ordering key: %v", err)
		}
		if detail, err := client.GetEvent(ctx, accepted.EventID); err != nil || detail.Event.OrderingKey != longest {
			t.Errorf("GetEvent of the 255-character ordering key = %+v, %v", detail, err)
		}
		events, err := client.ListEvents(ctx, &webhookd.ListEventsOptions{EventTypes: []string{"live.ordering"}})
		if err != nil || len(events.Items) != 1 || events.Items[0].ID != accepted.EventID || events.Items[0].OrderingKey != longest {
			t.Errorf("ListEvents(live.ordering) = %+v, %v; want only the accepted event, with its ordering key", events, err)
		}
	})

	t.Run("dispatch retried across a restart", func(t *testing.T) {
		var mu sync.Mutex
		var attempts []codes.Code
		recordAttempts := grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			err := invoker(ctx, method, req, reply, cc, opts...)
			if method == webhookv1.WebhookService_Dispatch_FullMethodName {
				mu.Lock()
				attempts = append(attempts, status.Code(err))
				mu.Unlock()
			}
			return err
		})
		// About 7 s of retries on average, the server needs well under 1 s.
		retrying := newClient(t, d.addr, webhookd.WithDialOptions(recordAttempts),
			webhookd.WithRetry(webhookd.RetryPolicy{MaxAttempts: 10, InitialBackoff: 250 * time.Millisecond, MaxBackoff: 2 * time.Second}))
		if _, err := retrying.ListEndpoints(ctx, nil); err != nil {
			t.Fatal(err)
		}

		d.stop()
		type outcome struct {
			result *webhookd.DispatchResult
			err    error
		}
		done := make(chan outcome, 1)
		go func() {
			result, err := retrying.Dispatch(ctx, "live.restart", map[string]any{"n": 1})
			done <- outcome{result, err}
		}()
		eventually(t, "a first attempt failed", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(attempts) > 0
		})
		d.start()
		var got outcome
		select {
		case got = <-done:
		case <-time.After(60 * time.Second):
			t.Fatal("Dispatch did not return")
		}
		if got.err != nil {
			t.Fatalf("Dispatch across a restart: %v (attempts %v)", got.err, attempts)
		}
		mu.Lock()
		if len(attempts) < 2 || attempts[0] != codes.Unavailable || attempts[len(attempts)-1] != codes.OK {
			t.Errorf("attempts = %v, want UNAVAILABLE first and OK last", attempts)
		}
		mu.Unlock()
		events, err := client.ListEvents(ctx, &webhookd.ListEventsOptions{EventTypes: []string{"live.restart"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(events.Items) != 1 || events.Items[0].ID != got.result.EventID {
			t.Errorf("events after the restart = %+v, want exactly %s", events.Items, got.result.EventID)
		}
	})

	t.Run("no event catalog", func(t *testing.T) {
		// Without event_catalog: no types, and every type is accepted.
		catalog, err := client.ListEventTypes(ctx)
		if err != nil || len(catalog.EventTypes) != 0 || !catalog.UnknownTypesAllowed {
			t.Errorf("ListEventTypes = %+v, %v; want no types, unknown types allowed", catalog, err)
		}
	})

	t.Run("api keys", func(t *testing.T) {
		_, err := client.CreateAPIKey(ctx, "live-reader", webhookd.APIKeyRoleRead)
		wantError(t, err, codes.FailedPrecondition, "FIRST_KEY_NOT_ADMIN")

		admin, err := client.CreateAPIKey(ctx, "live-admin", webhookd.APIKeyRoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if admin.Key == "" || admin.APIKey.Name != "live-admin" || admin.APIKey.Role != webhookd.APIKeyRoleAdmin ||
			admin.APIKey.Origin != "api" || len(admin.APIKey.Fingerprint) != 8 || admin.APIKey.RevokedAt != nil {
			t.Errorf("CreateAPIKey = %+v", admin)
		}
		eventually(t, "calls without a key are refused", func() bool {
			_, err := client.ListEndpoints(ctx, nil)
			return status.Code(err) == codes.Unauthenticated
		})
		_, err = client.ListEndpoints(ctx, nil)
		wantError(t, err, codes.Unauthenticated, "API_KEY_MISSING")

		keyed := newClient(t, d.addr, webhookd.WithAPIKey(admin.Key))
		reader, err := keyed.CreateAPIKey(ctx, "live-reader", webhookd.APIKeyRoleRead)
		if err != nil || reader.APIKey.Role != webhookd.APIKeyRoleRead {
			t.Fatalf("CreateAPIKey(read) = %+v, %v", reader, err)
		}
		// The raw stub sends the key too.
		raw, err := keyed.Raw().ListApiKeys(ctx, &webhookv1.ListApiKeysRequest{})
		if err != nil || len(raw.GetApiKeys()) != 2 {
			t.Errorf("Raw().ListApiKeys = %v, %v", raw, err)
		}

		readOnly := newClient(t, d.addr, webhookd.WithAPIKey(reader.Key))
		if _, err := readOnly.ListEvents(ctx, nil); err != nil {
			t.Errorf("ListEvents with a read key: %v", err)
		}
		_, err = readOnly.CreateEndpoint(ctx, closedURL(t), []string{"x.*"}, nil)
		wantError(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")

		revoked, err := keyed.RevokeAPIKey(ctx, "live-reader")
		if err != nil || revoked.Name != "live-reader" || revoked.RevokedAt == nil {
			t.Errorf("RevokeAPIKey = %+v, %v", revoked, err)
		}
		active, err := keyed.ListAPIKeys(ctx, false)
		if err != nil || len(active) != 1 || active[0].Name != "live-admin" {
			t.Errorf("ListAPIKeys = %+v, %v", active, err)
		}
		all, err := keyed.ListAPIKeys(ctx, true)
		if err != nil || len(all) != 2 {
			t.Errorf("ListAPIKeys(include revoked) = %+v, %v", all, err)
		}
		_, err = keyed.RevokeAPIKey(ctx, "live-admin")
		wantError(t, err, codes.FailedPrecondition, "LAST_ADMIN_KEY")
	})
}

// TestLiveEventCatalog runs against a webhookd of its own whose config has
// an event-type catalog (catalogConfig): ListEventTypes, and Dispatch
// checked against the catalog's JSON Schemas and refusing unknown types.
func TestLiveEventCatalog(t *testing.T) {
	d := startDaemonWithConfig(t, catalogConfig)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := newClient(t, d.addr)

	t.Run("list event types", func(t *testing.T) {
		catalog, err := client.ListEventTypes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if catalog.UnknownTypesAllowed {
			t.Error("UnknownTypesAllowed = true, want false (unknown_types: refuse)")
		}
		var names []string
		for _, eventType := range catalog.EventTypes {
			names = append(names, eventType.Name)
		}
		if !slices.Equal(names, []string{"order.created", "order.noted"}) {
			t.Fatalf("ListEventTypes names = %v, want [order.created order.noted]", names)
		}
		created, noted := catalog.EventTypes[0], catalog.EventTypes[1]
		if created.Description != "An order was placed" {
			t.Errorf("order.created description = %q", created.Description)
		}
		// The schema as native JSON values, as written in the config.
		wantSchema := map[string]any{
			"type":     "object",
			"required": []any{"order_id", "total"},
			"properties": map[string]any{
				"order_id": map[string]any{"type": "string"},
				"total":    map[string]any{"type": "number", "minimum": float64(0)},
			},
		}
		if !reflect.DeepEqual(created.Schema, wantSchema) {
			t.Errorf("order.created schema = %#v, want %#v", created.Schema, wantSchema)
		}
		required, _ := created.Schema["required"].([]any)
		if !slices.Contains(required, any("order_id")) || !slices.Contains(required, any("total")) {
			t.Errorf("order.created schema required = %#v, want order_id and total", created.Schema["required"])
		}
		if noted.Description != "" || noted.Schema != nil {
			t.Errorf("order.noted = %#v, want no description and a nil schema", noted)
		}
	})

	t.Run("dispatch checked against the catalog", func(t *testing.T) {
		// Both values are wrong: one field violation each.
		_, err := client.Dispatch(ctx, "order.created", map[string]any{"order_id": 7, "total": -1})
		werr := wantError(t, err, codes.InvalidArgument, "SCHEMA_VIOLATION")
		fields := map[string]string{}
		for _, violation := range werr.FieldViolations {
			fields[violation.Field] = violation.Description
		}
		if len(fields) != 2 || fields["payload/order_id"] == "" || fields["payload/total"] == "" {
			t.Errorf("field violations = %+v, want payload/order_id and payload/total with descriptions", werr.FieldViolations)
		}
		// A missing property is reported at the payload itself.
		_, err = client.Dispatch(ctx, "order.created", map[string]any{"order_id": "o1"})
		werr = wantError(t, err, codes.InvalidArgument, "SCHEMA_VIOLATION")
		if len(werr.FieldViolations) != 1 || werr.FieldViolations[0].Field != "payload/" ||
			!strings.Contains(werr.FieldViolations[0].Description, "total") {
			t.Errorf("field violations of a payload without total = %+v, want payload/ naming total", werr.FieldViolations)
		}

		accepted, err := client.Dispatch(ctx, "order.created", map[string]any{"order_id": "o1", "total": 5})
		if err != nil || !strings.HasPrefix(accepted.EventID, "evt_") {
			t.Fatalf("Dispatch of a matching payload = %+v, %v", accepted, err)
		}
		// A type without a schema takes any JSON object.
		if _, err := client.Dispatch(ctx, "order.noted", map[string]any{"anything": []any{1, "two"}}); err != nil {
			t.Errorf("Dispatch(order.noted) = %v", err)
		}

		_, err = client.Dispatch(ctx, "user.created", map[string]any{"user_id": "u1"})
		werr = wantError(t, err, codes.InvalidArgument, "UNKNOWN_EVENT_TYPE")
		if len(werr.FieldViolations) != 1 || werr.FieldViolations[0].Field != "event_type" {
			t.Errorf("unknown type: field violations %+v, want event_type", werr.FieldViolations)
		}

		// The refused payloads were not stored.
		events, err := client.ListEvents(ctx, &webhookd.ListEventsOptions{EventTypes: []string{"order.created", "user.created"}})
		if err != nil || len(events.Items) != 1 || events.Items[0].ID != accepted.EventID {
			t.Errorf("ListEvents = %+v, %v; want only %s", events, err, accepted.EventID)
		}
	})

	t.Run("open to every role", func(t *testing.T) {
		admin, err := client.CreateAPIKey(ctx, "catalog-admin", webhookd.APIKeyRoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		keyed := newClient(t, d.addr, webhookd.WithAPIKey(admin.Key))
		for _, role := range []webhookd.APIKeyRole{webhookd.APIKeyRoleDispatch, webhookd.APIKeyRoleRead} {
			key, err := keyed.CreateAPIKey(ctx, "catalog-"+string(role), role)
			if err != nil {
				t.Fatal(err)
			}
			catalog, err := newClient(t, d.addr, webhookd.WithAPIKey(key.Key)).ListEventTypes(ctx)
			if err != nil || len(catalog.EventTypes) != 2 {
				t.Errorf("ListEventTypes with a %s key = %+v, %v", role, catalog, err)
			}
		}
	})
}
