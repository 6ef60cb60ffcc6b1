/**
 * The Python prelude just-bash's python3 runs before a script (path
 * redirection to the /host mount, argv, env, the jb_http module), as text.
 * Copied from just-bash 3.4.2 (unchanged through 3.6) so Cairn's warm
 * interpreter behaves the same.
 */

export interface PreludeInput {
  env: Record<string, string>;
  args: string[];
  scriptPath: string;
  cwd: string;
}

/** The wrapped program: prelude, HTTP bridge and the user's code in one try block. */
export function wrapProgram(code: string, job: PreludeInput): string {
  const indent = (text: string) =>
    text
      .split("\n")
      .map((line) => `    ${line}`)
      .join("\n");
  return `
import sys
_jb_exit_code = 0
try:
${indent(setupCode(job))}
${indent(HTTP_BRIDGE)}
${indent(code)}
except SystemExit as e:
    _jb_exit_code = e.code if isinstance(e.code, int) else (1 if e.code else 0)
except Exception as e:
    import traceback
    traceback.print_exc()
    _jb_exit_code = 1
sys.exit(_jb_exit_code)
`;
}

function setupCode(job: PreludeInput): string {
  const envSetup = Object.entries(job.env)
    .map(([key, value]) => `os.environ[${JSON.stringify(key)}] = ${JSON.stringify(value)}`)
    .join("\n");
  const argvList = [job.scriptPath || "python3", ...job.args]
    .map((arg) => JSON.stringify(arg))
    .join(", ");
  return `
import os
import sys
import json

${envSetup}

sys.argv = [${argvList}]

# Path redirection: redirect /absolute paths to /host mount
def _should_redirect(path):
    return (isinstance(path, str) and
            path.startswith('/') and
            not path.startswith('/lib') and
            not path.startswith('/proc') and
            not path.startswith('/host') and
            not path.startswith('/_jb_http'))

# builtins.open
import builtins
_orig_open = builtins.open
def _redir_open(path, mode='r', *args, **kwargs):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_open(path, mode, *args, **kwargs)
builtins.open = _redir_open

# os file operations
_orig_listdir = os.listdir
def _redir_listdir(path='.'):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_listdir(path)
os.listdir = _redir_listdir

_orig_exists = os.path.exists
def _redir_exists(path):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_exists(path)
os.path.exists = _redir_exists

_orig_isfile = os.path.isfile
def _redir_isfile(path):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_isfile(path)
os.path.isfile = _redir_isfile

_orig_isdir = os.path.isdir
def _redir_isdir(path):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_isdir(path)
os.path.isdir = _redir_isdir

_orig_stat = os.stat
def _redir_stat(path, *args, **kwargs):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_stat(path, *args, **kwargs)
os.stat = _redir_stat

_orig_mkdir = os.mkdir
def _redir_mkdir(path, *args, **kwargs):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_mkdir(path, *args, **kwargs)
os.mkdir = _redir_mkdir

_orig_makedirs = os.makedirs
def _redir_makedirs(path, *args, **kwargs):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_makedirs(path, *args, **kwargs)
os.makedirs = _redir_makedirs

_orig_remove = os.remove
def _redir_remove(path, *args, **kwargs):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_remove(path, *args, **kwargs)
os.remove = _redir_remove

_orig_rmdir = os.rmdir
def _redir_rmdir(path, *args, **kwargs):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_rmdir(path, *args, **kwargs)
os.rmdir = _redir_rmdir

_orig_getcwd = os.getcwd
def _redir_getcwd():
    cwd = _orig_getcwd()
    if cwd.startswith('/host'):
        return cwd[5:]
    return cwd
os.getcwd = _redir_getcwd

_orig_chdir = os.chdir
def _redir_chdir(path):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_chdir(path)
os.chdir = _redir_chdir

# glob
import glob as _glob_module
_orig_glob = _glob_module.glob
def _redir_glob(pathname, *args, **kwargs):
    if _should_redirect(pathname):
        pathname = '/host' + pathname
    return _orig_glob(pathname, *args, **kwargs)
_glob_module.glob = _redir_glob

_orig_iglob = _glob_module.iglob
def _redir_iglob(pathname, *args, **kwargs):
    if _should_redirect(pathname):
        pathname = '/host' + pathname
    return _orig_iglob(pathname, *args, **kwargs)
_glob_module.iglob = _redir_iglob

# os.walk
_orig_walk = os.walk
def _redir_walk(top, *args, **kwargs):
    redirected = False
    if _should_redirect(top):
        top = '/host' + top
        redirected = True
    for dirpath, dirnames, filenames in _orig_walk(top, *args, **kwargs):
        if redirected and dirpath.startswith('/host'):
            dirpath = dirpath[5:] if len(dirpath) > 5 else '/'
        yield dirpath, dirnames, filenames
os.walk = _redir_walk

# os.scandir
_orig_scandir = os.scandir
def _redir_scandir(path='.'):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_scandir(path)
os.scandir = _redir_scandir

# io.open and io.open_code
import io as _io_module
_io_module.open = builtins.open

# runpy uses io.open_code rather than builtins.open/io.open. Redirect it
# separately so code loading keeps the logical path in __file__ and argv.
_orig_open_code = _io_module.open_code
def _redir_open_code(path):
    if _should_redirect(path):
        path = '/host' + path
    return _orig_open_code(path)
_io_module.open_code = _redir_open_code

# shutil
import shutil as _shutil_module

_orig_shutil_copy = _shutil_module.copy
def _redir_shutil_copy(src, dst, *args, **kwargs):
    if _should_redirect(src): src = '/host' + src
    if _should_redirect(dst): dst = '/host' + dst
    return _orig_shutil_copy(src, dst, *args, **kwargs)
_shutil_module.copy = _redir_shutil_copy

_orig_shutil_copy2 = _shutil_module.copy2
def _redir_shutil_copy2(src, dst, *args, **kwargs):
    if _should_redirect(src): src = '/host' + src
    if _should_redirect(dst): dst = '/host' + dst
    return _orig_shutil_copy2(src, dst, *args, **kwargs)
_shutil_module.copy2 = _redir_shutil_copy2

_orig_shutil_copyfile = _shutil_module.copyfile
def _redir_shutil_copyfile(src, dst, *args, **kwargs):
    if _should_redirect(src): src = '/host' + src
    if _should_redirect(dst): dst = '/host' + dst
    return _orig_shutil_copyfile(src, dst, *args, **kwargs)
_shutil_module.copyfile = _redir_shutil_copyfile

_orig_shutil_copytree = _shutil_module.copytree
def _redir_shutil_copytree(src, dst, *args, **kwargs):
    if _should_redirect(src): src = '/host' + src
    if _should_redirect(dst): dst = '/host' + dst
    return _orig_shutil_copytree(src, dst, *args, **kwargs)
_shutil_module.copytree = _redir_shutil_copytree

_orig_shutil_move = _shutil_module.move
def _redir_shutil_move(src, dst, *args, **kwargs):
    if _should_redirect(src): src = '/host' + src
    if _should_redirect(dst): dst = '/host' + dst
    return _orig_shutil_move(src, dst, *args, **kwargs)
_shutil_module.move = _redir_shutil_move

_orig_shutil_rmtree = _shutil_module.rmtree
def _redir_shutil_rmtree(path, *args, **kwargs):
    if _should_redirect(path): path = '/host' + path
    return _orig_shutil_rmtree(path, *args, **kwargs)
_shutil_module.rmtree = _redir_shutil_rmtree

# pathlib.Path
from pathlib import Path

def _redirect_path(p):
    s = str(p)
    if _should_redirect(s):
        return Path('/host' + s)
    return p

Path._orig_stat = Path.stat
def _path_stat(self, *args, **kwargs):
    return _redirect_path(self)._orig_stat(*args, **kwargs)
Path.stat = _path_stat

Path._orig_exists = Path.exists
def _path_exists(self):
    return _redirect_path(self)._orig_exists()
Path.exists = _path_exists

Path._orig_is_file = Path.is_file
def _path_is_file(self):
    return _redirect_path(self)._orig_is_file()
Path.is_file = _path_is_file

Path._orig_is_dir = Path.is_dir
def _path_is_dir(self):
    return _redirect_path(self)._orig_is_dir()
Path.is_dir = _path_is_dir

Path._orig_open = Path.open
def _path_open(self, *args, **kwargs):
    return _redirect_path(self)._orig_open(*args, **kwargs)
Path.open = _path_open

Path._orig_read_text = Path.read_text
def _path_read_text(self, *args, **kwargs):
    return _redirect_path(self)._orig_read_text(*args, **kwargs)
Path.read_text = _path_read_text

Path._orig_read_bytes = Path.read_bytes
def _path_read_bytes(self):
    return _redirect_path(self)._orig_read_bytes()
Path.read_bytes = _path_read_bytes

Path._orig_write_text = Path.write_text
def _path_write_text(self, *args, **kwargs):
    return _redirect_path(self)._orig_write_text(*args, **kwargs)
Path.write_text = _path_write_text

Path._orig_write_bytes = Path.write_bytes
def _path_write_bytes(self, data):
    return _redirect_path(self)._orig_write_bytes(data)
Path.write_bytes = _path_write_bytes

Path._orig_mkdir = Path.mkdir
def _path_mkdir(self, *args, **kwargs):
    return _redirect_path(self)._orig_mkdir(*args, **kwargs)
Path.mkdir = _path_mkdir

Path._orig_rmdir = Path.rmdir
def _path_rmdir(self):
    return _redirect_path(self)._orig_rmdir()
Path.rmdir = _path_rmdir

Path._orig_unlink = Path.unlink
def _path_unlink(self, *args, **kwargs):
    return _redirect_path(self)._orig_unlink(*args, **kwargs)
Path.unlink = _path_unlink

Path._orig_iterdir = Path.iterdir
def _path_iterdir(self):
    redirected = _redirect_path(self)
    for p in redirected._orig_iterdir():
        s = str(p)
        if s.startswith('/host'):
            yield Path(s[5:])
        else:
            yield p
Path.iterdir = _path_iterdir

Path._orig_glob = Path.glob
def _path_glob(self, pattern):
    redirected = _redirect_path(self)
    for p in redirected._orig_glob(pattern):
        s = str(p)
        if s.startswith('/host'):
            yield Path(s[5:])
        else:
            yield p
Path.glob = _path_glob

Path._orig_rglob = Path.rglob
def _path_rglob(self, pattern):
    redirected = _redirect_path(self)
    for p in redirected._orig_rglob(pattern):
        s = str(p)
        if s.startswith('/host'):
            yield Path(s[5:])
        else:
            yield p
Path.rglob = _path_rglob

# Set cwd to host mount
os.chdir('/host' + ${JSON.stringify(job.cwd)})
`;
}

const HTTP_BRIDGE = `
# HTTP bridge: jb_http module
# Write request JSON to /_jb_http/request (custom FS triggers HTTP via SharedArrayBuffer)
# Then read response JSON from same path.

import base64 as _base64

class _JbHttpResponse:
    """HTTP response object similar to requests.Response"""
    def __init__(self, data):
        self.status_code = data.get('status', 0)
        self.reason = data.get('statusText', '')
        # @banned-pattern-ignore: Python code, not JavaScript
        self.headers = data.get('headers', {})
        self.url = data.get('url', '')
        self._error = data.get('error')
        b64 = data.get('bodyBase64')
        if b64 is not None:
            self.content = _base64.b64decode(b64)
            self.text = self.content.decode('utf-8', errors='replace')
        else:
            self.content = b''
            self.text = data.get('body', '')

    @property
    def ok(self):
        return 200 <= self.status_code < 300

    def json(self):
        return json.loads(self.text)

    def raise_for_status(self):
        if self._error:
            raise Exception(self._error)
        if not self.ok:
            raise Exception(f"HTTP {self.status_code}: {self.reason}")

class _JbHttp:
    """HTTP client that bridges to just-bash's secureFetch via custom FS"""
    def _do_request(self, method, url, headers=None, body=None):
        import json as _json
        req = _json.dumps({'url': url, 'method': method, 'headers': headers, 'body': body})
        # Write request to HTTPFS \u2014 close triggers the HTTP call synchronously
        with _orig_open('/_jb_http/request', 'w') as f:
            f.write(req)
        # Read response (cached by HTTPFS from the HTTP call above)
        with _orig_open('/_jb_http/request', 'r') as f:
            return _json.loads(f.read())

    def request(self, method, url, headers=None, data=None, json_data=None):
        if json_data is not None:
            data = json.dumps(json_data)
            headers = headers or {}
            headers['Content-Type'] = 'application/json'
        result = self._do_request(method, url, headers, data)
        if 'error' in result and result.get('status') is None:
            raise Exception(result['error'])
        return _JbHttpResponse(result)

    def get(self, url, headers=None, **kwargs):
        return self.request('GET', url, headers=headers, **kwargs)

    def post(self, url, headers=None, data=None, json=None, **kwargs):
        return self.request('POST', url, headers=headers, data=data, json_data=json, **kwargs)

    def put(self, url, headers=None, data=None, json=None, **kwargs):
        return self.request('PUT', url, headers=headers, data=data, json_data=json, **kwargs)

    def delete(self, url, headers=None, **kwargs):
        return self.request('DELETE', url, headers=headers, **kwargs)

    def head(self, url, headers=None, **kwargs):
        return self.request('HEAD', url, headers=headers, **kwargs)

    def patch(self, url, headers=None, data=None, json=None, **kwargs):
        return self.request('PATCH', url, headers=headers, data=data, json_data=json, **kwargs)

import types
jb_http = types.ModuleType('jb_http')
jb_http._client = _JbHttp()
jb_http.get = jb_http._client.get
jb_http.post = jb_http._client.post
jb_http.put = jb_http._client.put
jb_http.delete = jb_http._client.delete
jb_http.head = jb_http._client.head
jb_http.patch = jb_http._client.patch
jb_http.request = jb_http._client.request
jb_http.Response = _JbHttpResponse
sys.modules['jb_http'] = jb_http
`;
