package webhookd

import (
	"context"
	"errors"
	"math"
	"time"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/webhookd/webhookd/clients/go/webhookv1"
)

// CreateEndpointOptions are the optional settings of CreateEndpoint.
type CreateEndpointOptions struct {
	// The endpoint id ([A-Za-z0-9_.-], at most 255 characters); empty for
	// "ep_" and a random suffix.
	ID string
	// The signing secret (at least 24 characters); empty to sign with the
	// server's default secret. With SignatureSchemeStandard it is required:
	// "whsec_" + base64 (HMAC) or "whsk_" + base64 of an ed25519 seed.
	Secret string
	// Create the endpoint disabled.
	Disabled bool
	// How deliveries are signed; empty for SignatureSchemeWebhookd.
	SignatureScheme SignatureScheme
	// Static headers added to every delivery, by name (case-insensitive):
	// at most 20, visible ASCII values of at most 1 KiB. The headers
	// webhookd sets (Content-Type, Host, User-Agent, the hop-by-hop headers,
	// X-Webhook-*, webhook-*) are refused with INVALID_ARGUMENT.
	Headers map[string]string
	// Its own retry schedule; nil for the config's retry_policy. An
	// invalid one is refused with INVALID_ARGUMENT, with the field violation
	// retry_policy.max_attempts or retry_policy.delays_seconds[i].
	RetryPolicy *RetrySchedule
	// Its payload filter; nil for none. Events of its types are routed to
	// it only when their payload matches, decided at Dispatch: dotted paths
	// to conditions, all of which must hold. A plain value is equality; a
	// map of operators ($eq, $ne, $in, $nin, $exists, $gt, $gte, $lt, $lte)
	// tests the value at the path:
	//
	//	map[string]any{
	//		"order.total":    map[string]any{"$gte": 100},
	//		"order.currency": map[string]any{"$in": []any{"EUR", "USD"}},
	//	}
	//
	// The values are those structpb.NewValue takes (nested maps are
	// map[string]any, lists []any); another one is refused with
	// INVALID_ARGUMENT before anything is sent. An invalid filter is refused
	// by webhookd with INVALID_ARGUMENT, with a field violation under
	// "filter". Endpoints named by WithEndpointIDs and replays are not
	// filtered.
	Filter map[string]any
}

// CreateEndpoint creates an endpoint that receives the events matching
// eventTypes ("order.created", "order.*") at url. opts may be nil. It is not
// retried.
func (c *Client) CreateEndpoint(ctx context.Context, url string, eventTypes []string, opts *CreateEndpointOptions) (*Endpoint, error) {
	if opts == nil {
		opts = &CreateEndpointOptions{}
	}
	req := &webhookv1.CreateEndpointRequest{
		Id:         opts.ID,
		Url:        url,
		EventTypes: eventTypes,
		Secret:     opts.Secret,
		Disabled:   opts.Disabled,
		Headers:    opts.Headers,
	}
	retryPolicy, err := retryScheduleToProto("retry_policy", opts.RetryPolicy)
	if err != nil {
		return nil, err
	}
	req.RetryPolicy = retryPolicy
	filter, err := payloadFilterToProto("filter", opts.Filter)
	if err != nil {
		return nil, err
	}
	req.Filter = filter
	if opts.SignatureScheme != "" {
		scheme, err := enumValue("signature_scheme", string(opts.SignatureScheme), signatureSchemePrefix, webhookv1.SignatureScheme_value)
		if err != nil {
			return nil, err
		}
		req.SignatureScheme = webhookv1.SignatureScheme(scheme)
	}
	return c.endpointCall(ctx, false, func(ctx context.Context) (*webhookv1.Endpoint, error) {
		return c.raw.CreateEndpoint(ctx, req)
	})
}

// GetEndpoint returns an endpoint.
func (c *Client) GetEndpoint(ctx context.Context, id string) (*Endpoint, error) {
	return c.endpointCall(ctx, true, func(ctx context.Context) (*webhookv1.Endpoint, error) {
		return c.raw.GetEndpoint(ctx, &webhookv1.GetEndpointRequest{Id: id})
	})
}

// ListEndpointsOptions page through ListEndpoints.
type ListEndpointsOptions struct {
	// At most this many (0: the server's default, 100; at most 1000).
	PageSize int
	// From a previous page's NextPageToken.
	PageToken string
}

// ListEndpoints pages through the endpoints. opts may be nil.
func (c *Client) ListEndpoints(ctx context.Context, opts *ListEndpointsOptions) (*Page[Endpoint], error) {
	if opts == nil {
		opts = &ListEndpointsOptions{}
	}
	req := &webhookv1.ListEndpointsRequest{PageSize: pageSize(opts.PageSize), PageToken: opts.PageToken}
	resp, err := invoke(ctx, c, true, func(ctx context.Context) (*webhookv1.ListEndpointsResponse, error) {
		return c.raw.ListEndpoints(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	page := &Page[Endpoint]{Items: make([]Endpoint, 0, len(resp.GetEndpoints())), NextPageToken: resp.GetNextPageToken()}
	for _, endpoint := range resp.GetEndpoints() {
		page.Items = append(page.Items, endpointFromProto(endpoint))
	}
	return page, nil
}

// EndpointUpdate holds the new values of UpdateEndpoint; the fields left at
// their zero value are not changed.
type EndpointUpdate struct {
	// The new URL; it applies to the next attempt of every pending delivery.
	URL string
	// The new subscriptions (nil: unchanged).
	EventTypes []string
	// The new custom headers, replacing all of them (nil: unchanged; an
	// empty, non-nil map removes them). They apply to the next attempt of
	// every pending delivery.
	Headers map[string]string
	// Its own new retry schedule (nil: unchanged). It applies to the next
	// attempt of every pending delivery. An invalid one is refused with
	// INVALID_ARGUMENT, with the field violation
	// endpoint.retry_policy.max_attempts or
	// endpoint.retry_policy.delays_seconds[i].
	RetryPolicy *RetrySchedule
	// Remove its own retry schedule: it goes back to the config's
	// retry_policy. Not together with RetryPolicy.
	ClearRetryPolicy bool
	// Its new payload filter, replacing the one it had (nil: unchanged); see
	// CreateEndpointOptions.Filter. It applies to the events dispatched
	// after. An invalid one is refused with INVALID_ARGUMENT, with a field
	// violation under "endpoint.filter".
	Filter map[string]any
	// Remove its payload filter: every event of its types is routed to it
	// again. Not together with Filter.
	ClearFilter bool
}

// UpdateEndpoint changes the fields of an endpoint that update sets (the
// update mask is built from them).
func (c *Client) UpdateEndpoint(ctx context.Context, id string, update EndpointUpdate) (*Endpoint, error) {
	if update.RetryPolicy != nil && update.ClearRetryPolicy {
		return nil, invalidArgument("endpoint.retry_policy", errors.New("RetryPolicy and ClearRetryPolicy are both set"))
	}
	retryPolicy, err := retryScheduleToProto("endpoint.retry_policy", update.RetryPolicy)
	if err != nil {
		return nil, err
	}
	if update.Filter != nil && update.ClearFilter {
		return nil, invalidArgument("endpoint.filter", errors.New("Filter and ClearFilter are both set"))
	}
	filter, err := payloadFilterToProto("endpoint.filter", update.Filter)
	if err != nil {
		return nil, err
	}
	endpoint := &webhookv1.Endpoint{Id: id}
	mask := &fieldmaskpb.FieldMask{}
	if update.URL != "" {
		endpoint.Url = update.URL
		mask.Paths = append(mask.Paths, "url")
	}
	if update.EventTypes != nil {
		endpoint.EventTypes = update.EventTypes
		mask.Paths = append(mask.Paths, "event_types")
	}
	if update.Headers != nil {
		endpoint.Headers = update.Headers
		mask.Paths = append(mask.Paths, "headers")
	}
	if update.RetryPolicy != nil || update.ClearRetryPolicy {
		// Unset with ClearRetryPolicy: back to the config's.
		endpoint.RetryPolicy = retryPolicy
		mask.Paths = append(mask.Paths, "retry_policy")
	}
	if update.Filter != nil || update.ClearFilter {
		// Unset with ClearFilter: no filter.
		endpoint.Filter = filter
		mask.Paths = append(mask.Paths, "filter")
	}
	req := &webhookv1.UpdateEndpointRequest{Endpoint: endpoint, UpdateMask: mask}
	return c.endpointCall(ctx, true, func(ctx context.Context) (*webhookv1.Endpoint, error) {
		return c.raw.UpdateEndpoint(ctx, req)
	})
}

// DeleteEndpoint removes an endpoint and returns how many of its pending
// deliveries were cancelled. Its history stays in the log. It is not
// retried.
func (c *Client) DeleteEndpoint(ctx context.Context, id string) (int64, error) {
	resp, err := invoke(ctx, c, false, func(ctx context.Context) (*webhookv1.DeleteEndpointResponse, error) {
		return c.raw.DeleteEndpoint(ctx, &webhookv1.DeleteEndpointRequest{Id: id})
	})
	if err != nil {
		return 0, err
	}
	return int64(resp.GetCancelledDeliveries()), nil
}

// EnableEndpoint re-enables an endpoint, resets its failure count and
// resumes its paused deliveries.
func (c *Client) EnableEndpoint(ctx context.Context, id string) (*Endpoint, error) {
	return c.endpointCall(ctx, true, func(ctx context.Context) (*webhookv1.Endpoint, error) {
		return c.raw.EnableEndpoint(ctx, &webhookv1.EnableEndpointRequest{Id: id})
	})
}

// DisableEndpoint pauses an endpoint: new events are stored but not sent
// until it is enabled again. reason is recorded as its DisabledReason (empty
// for "disabled by an operator").
func (c *Client) DisableEndpoint(ctx context.Context, id, reason string) (*Endpoint, error) {
	return c.endpointCall(ctx, true, func(ctx context.Context) (*webhookv1.Endpoint, error) {
		return c.raw.DisableEndpoint(ctx, &webhookv1.DisableEndpointRequest{Id: id, Reason: reason})
	})
}

// RotateEndpointSecret makes a new signing secret for an endpoint. The
// previous one stays valid for gracePeriod (rounded up to whole seconds; 0
// for the server's default, 24 hours): meanwhile every delivery carries both
// signatures. It is not retried.
func (c *Client) RotateEndpointSecret(ctx context.Context, id string, gracePeriod time.Duration) (*RotatedSecret, error) {
	graceSeconds := (max(gracePeriod, 0) + time.Second - 1) / time.Second
	req := &webhookv1.RotateEndpointSecretRequest{Id: id, GracePeriodSeconds: uint32(min(graceSeconds, math.MaxUint32))}
	resp, err := invoke(ctx, c, false, func(ctx context.Context) (*webhookv1.RotateEndpointSecretResponse, error) {
		return c.raw.RotateEndpointSecret(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	return &RotatedSecret{Endpoint: endpointFromProto(resp.GetEndpoint()), NewSecret: resp.GetNewSecret()}, nil
}

func (c *Client) endpointCall(ctx context.Context, idempotent bool, call func(context.Context) (*webhookv1.Endpoint, error)) (*Endpoint, error) {
	resp, err := invoke(ctx, c, idempotent, call)
	if err != nil {
		return nil, err
	}
	endpoint := endpointFromProto(resp)
	return &endpoint, nil
}
