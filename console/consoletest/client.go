package consoletest

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

// Client calls the console's API as the page does.
type Client struct{ c *http.Client }

func newClient(cfg *tls.Config) *Client {
	return &Client{&http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}}}
}

// Response is an answer: the status, the body, and the body as JSON when it is.
type Response struct {
	Status int
	Body   []byte
	Header http.Header
}

// JSON decodes the body into v.
func (r Response) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// Get asks for url.
func (c *Client) Get(url string) (Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return Response{}, err
	}
	return c.do(req)
}

// Post sends body as the page does: with the console's header, as JSON
// unless ctype says otherwise.
func (c *Client) Post(url, ctype string, body []byte) (Response, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	if ctype == "" {
		ctype = "application/json"
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-Uketsuke-Console", "1")
	return c.do(req)
}

// Do sends a request as it is.
func (c *Client) Do(req *http.Request) (Response, error) { return c.do(req) }

func (c *Client) do(req *http.Request) (Response, error) {
	resp, err := c.c.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Body: body, Header: resp.Header}, err
}
