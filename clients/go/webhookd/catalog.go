package webhookd

import (
	"context"

	"github.com/webhookd/webhookd/clients/go/webhookv1"
)

// ListEventTypes returns the event-type catalog (event_catalog in the
// server's config file): the event types producers may send, sorted by
// name, each with its description and the JSON Schema that Dispatch checks
// its payloads against, if it has one; and whether Dispatch accepts the
// types that are not in it. Every API key role may call it.
func (c *Client) ListEventTypes(ctx context.Context) (*EventCatalog, error) {
	resp, err := invoke(ctx, c, true, func(ctx context.Context) (*webhookv1.ListEventTypesResponse, error) {
		return c.raw.ListEventTypes(ctx, &webhookv1.ListEventTypesRequest{})
	})
	if err != nil {
		return nil, err
	}
	return eventCatalogFromProto(resp), nil
}
