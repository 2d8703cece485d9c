package pkcs11

/*
#cgo linux LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>

typedef unsigned long ck_ulong;
typedef ck_ulong (*login_fn)(ck_ulong session, ck_ulong user, unsigned char *pin, ck_ulong len);

// The start of CK_FUNCTION_LIST (PKCS#11 v2.x and v3.0 alike): the
// version, the 18 functions before C_Login, then C_Login.
typedef struct {
	unsigned char version[2];
	void *before[18];
	login_fn login;
} list_prefix;

typedef ck_ulong (*get_list_fn)(list_prefix **);

static void *module_open(const char *path) { return dlopen(path, RTLD_NOW | RTLD_LOCAL); }

static void module_close(void *h) { dlclose(h); }

static login_fn module_login(void *h) {
	get_list_fn get = (get_list_fn)dlsym(h, "C_GetFunctionList");
	list_prefix *list = NULL;
	if (get == NULL || get(&list) != 0 || list == NULL) {
		return NULL;
	}
	return list->login;
}

static ck_ulong call_login(login_fn f, ck_ulong session, unsigned char *pin, ck_ulong len) {
	return f(session, 1, pin, len); // CKU_USER
}
*/
import "C"

import (
	"errors"
	"unsafe"

	p11 "github.com/miekg/pkcs11"
)

// loginFn is the module's own C_Login. miekg/pkcs11's Login takes the PIN
// as a Go string (and copies it into C memory it frees unwiped); this one
// hands the module a pointer into the PIN's locked buffer, so the PIN is
// never anywhere else on the kiosk's side.
type loginFn struct {
	handle unsafe.Pointer
	fn     C.login_fn
}

func openLogin(path string) (*loginFn, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	h := C.module_open(cpath)
	if h == nil {
		return nil, errors.New("pkcs11: the module does not load")
	}
	fn := C.module_login(h)
	if fn == nil {
		C.module_close(h)
		return nil, errors.New("pkcs11: the module has no C_GetFunctionList")
	}
	return &loginFn{handle: h, fn: fn}, nil
}

// login presents pin (in locked memory, not Go's heap) as the user's PIN.
func (l *loginFn) login(sh p11.SessionHandle, pin []byte) error {
	var p *C.uchar
	if len(pin) > 0 {
		p = (*C.uchar)(unsafe.Pointer(&pin[0]))
	}
	rv := C.call_login(l.fn, C.ck_ulong(sh), p, C.ck_ulong(len(pin)))
	if rv != 0 {
		return p11.Error(rv)
	}
	return nil
}

func (l *loginFn) close() { C.module_close(l.handle) }
