package webhookd

import (
	"context"

	"github.com/webhookd/webhookd/clients/go/webhookv1"
)

// CreateAPIKey creates an API key with a unique name ([A-Za-z0-9_.-], at
// most 64 characters) and a role. The key itself is in the result only:
// store it. While webhookd has no key, the first one must be an admin key;
// from then on every call needs a key. It is not retried.
func (c *Client) CreateAPIKey(ctx context.Context, name string, role APIKeyRole) (*CreatedAPIKey, error) {
	roleValue, err := enumValue("role", string(role), apiKeyRolePrefix, webhookv1.ApiKeyRole_value)
	if err != nil {
		return nil, err
	}
	req := &webhookv1.CreateApiKeyRequest{Name: name, Role: webhookv1.ApiKeyRole(roleValue)}
	resp, err := invoke(ctx, c, false, func(ctx context.Context) (*webhookv1.CreateApiKeyResponse, error) {
		return c.raw.CreateApiKey(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	return &CreatedAPIKey{APIKey: apiKeyFromProto(resp.GetApiKey()), Key: resp.GetKey()}, nil
}

// ListAPIKeys lists the API keys (those of the config file too), with the
// revoked ones when includeRevoked is true.
func (c *Client) ListAPIKeys(ctx context.Context, includeRevoked bool) ([]APIKey, error) {
	resp, err := invoke(ctx, c, true, func(ctx context.Context) (*webhookv1.ListApiKeysResponse, error) {
		return c.raw.ListApiKeys(ctx, &webhookv1.ListApiKeysRequest{IncludeRevoked: includeRevoked})
	})
	if err != nil {
		return nil, err
	}
	keys := make([]APIKey, 0, len(resp.GetApiKeys()))
	for _, key := range resp.GetApiKeys() {
		keys = append(keys, apiKeyFromProto(key))
	}
	return keys, nil
}

// RevokeAPIKey revokes an API key created over the API; it stops working on
// every instance within a few seconds. The last admin key cannot be revoked.
// It is not retried.
func (c *Client) RevokeAPIKey(ctx context.Context, name string) (*APIKey, error) {
	resp, err := invoke(ctx, c, false, func(ctx context.Context) (*webhookv1.ApiKey, error) {
		return c.raw.RevokeApiKey(ctx, &webhookv1.RevokeApiKeyRequest{Name: name})
	})
	if err != nil {
		return nil, err
	}
	key := apiKeyFromProto(resp)
	return &key, nil
}
