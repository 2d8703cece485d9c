package vpcd

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
)

// Operate lets a person or a test script handle the card from a terminal:
// "pull" takes it off the reader, "insert" puts it back, "quit" returns.
// At the end of input the card stays as it is until ctx ends.
func (c *Client) Operate(ctx context.Context, in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	for sc.Scan() && ctx.Err() == nil {
		switch strings.TrimSpace(sc.Text()) {
		case "pull":
			c.Pull()
			fmt.Fprintln(out, "card pulled")
		case "insert":
			c.Insert()
			fmt.Fprintln(out, "card inserted")
		case "quit":
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}
