-- bklint language server for BuildKit's buildkitd.toml, for Neovim 0.7 and newer.
--
-- Use it as-is:   :luafile /path/to/bklint.lua      (or `dofile(...)` from init.lua)
-- or as a module: copy it to ~/.config/nvim/lua/bklint.lua and
--                 require('bklint').setup({ settings = { bklint = { targetVersion = 'v0.12' } } })
--
-- Sourcing it sets up autocommands that start `bklint lsp` for every buffer named
-- buildkitd.toml, *.buildkitd.toml or buildkitd.default.toml (also buffers already open), give those buffers the
-- `toml` filetype, and attach all files of one project to one server. Options can also be
-- given before sourcing as `vim.g.bklint = { ... }` (same keys as setup()).
--
-- Neovim 0.8+ uses vim.lsp.start() and vim.fs.find(); on 0.7 (Debian 12's package) the
-- same behaviour is built from vim.lsp.start_client() and vim.lsp.buf_attach_client().
-- Attached buffers get the LSP's omni completion ('omnifunc', <C-x><C-o>), on 0.7 too, and,
-- with `keymaps = true`, buffer-local mappings (see M.keymaps and the README).

local M = {}

---@class BklintOptions
---@field cmd string[]|nil             command that runs the server (default: { 'bklint', 'lsp' })
---@field patterns string[]|nil        file name globs to attach to (no '/': matched against the tail)
---@field root_markers string[]|nil    files/dirs marking the project root
---@field settings table|nil           { bklint = { select, ignore, targetVersion, buildkitdFlags, baseDir, severity, files } }
---@field keymaps boolean|nil          set the buffer-local mappings of M.keymaps on attach (default false)

M.defaults = {
  cmd = { 'bklint', 'lsp' },
  patterns = { 'buildkitd.toml', '*.buildkitd.toml', 'buildkitd.default.toml' },
  root_markers = { '.git', 'pyproject.toml', 'bklint.toml' },
  keymaps = false,
  settings = {
    bklint = {
      -- select = { 'BK0' },
      -- ignore = { 'BK005' },
      -- targetVersion = 'v0.12',
      -- buildkitdFlags = '--oci-worker-net=cni',
      -- baseDir = '/etc/buildkit',
      -- severity = { BK004 = 'error' },
    },
  },
}

M.options = vim.deepcopy(M.defaults)

-- The mappings `keymaps = true` sets in bklint buffers (normal mode; Neovim 0.7 APIs only).
M.keymaps = {
  { 'K', function() vim.lsp.buf.hover() end, 'bklint: hover' },
  { '<leader>ca', function() vim.lsp.buf.code_action() end, 'bklint: code actions (quick fixes)' },
  { '<leader>cf', function()
    vim.lsp.buf.code_action({ context = { only = { 'source.fixAll.bklint' }, diagnostics = {} } })
  end, 'bklint: fix all' },
  { '[d', function() vim.diagnostic.goto_prev() end, 'previous diagnostic' },
  { ']d', function() vim.diagnostic.goto_next() end, 'next diagnostic' },
  { '<leader>e', function() vim.diagnostic.open_float() end, 'the diagnostics of this line' },
}

local function on_attach(_, bufnr)
  -- Omni completion (<C-x><C-o>) from the server: 0.7 sets no 'omnifunc' for LSP buffers.
  vim.bo[bufnr].omnifunc = 'v:lua.vim.lsp.omnifunc'
  if M.options.keymaps then
    for _, map in ipairs(M.keymaps) do
      vim.keymap.set('n', map[1], map[2], { buffer = bufnr, desc = map[3] })
    end
  end
end

-- Client ids per root directory, for Neovim 0.7 where vim.lsp.start() does not exist.
local clients_by_root = {}

local function dirname(path)
  return vim.fn.fnamemodify(path, ':h')
end

local function matches(name)
  if name == '' then
    return false
  end
  local tail = vim.fn.fnamemodify(name, ':t')
  for _, pattern in ipairs(M.options.patterns) do
    local subject = pattern:find('/', 1, true) and name or tail
    if vim.fn.match(subject, vim.fn.glob2regpat(pattern)) ~= -1 then
      return true
    end
  end
  return false
end

-- The nearest ancestor directory holding a root marker, else the file's own directory.
local function find_root(name)
  local start = dirname(name)
  if vim.fs ~= nil and vim.fs.find ~= nil then
    local found = vim.fs.find(M.options.root_markers, { path = start, upward = true })[1]
    return found and dirname(found) or start
  end
  local dir = start
  while true do
    for _, marker in ipairs(M.options.root_markers) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = dirname(dir)
    if parent == dir then
      return start
    end
    dir = parent
  end
end

-- An empty Lua table would be sent as a JSON array; the server expects objects.
local function as_object(value)
  if type(value) ~= 'table' or next(value) == nil then
    return vim.empty_dict()
  end
  return value
end

local function client_config(root)
  local bklint = as_object((M.options.settings or {}).bklint)
  return {
    name = 'bklint',
    cmd = M.options.cmd,
    root_dir = root,
    settings = { bklint = bklint },
    -- The server reads the same keys at start-up, before it can ask for the configuration.
    init_options = bklint,
    on_attach = on_attach,
  }
end

--- Attach bklint to `bufnr` if its name is one bklint serves. Safe to call repeatedly.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= '' then
    return
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if not matches(name) then
    return
  end
  name = vim.fn.fnamemodify(name, ':p')
  if vim.bo[bufnr].filetype ~= 'toml' then
    vim.bo[bufnr].filetype = 'toml'
  end
  if vim.fn.executable(M.options.cmd[1]) ~= 1 then
    vim.notify_once(
      ('bklint: %q was not found. Install bklint from a clone of its repository '
        .. '("python3 -m pip install --user /path/to/bklint"), or set cmd in vim.g.bklint / setup().'):format(
        M.options.cmd[1]
      ),
      vim.log.levels.WARN
    )
    return
  end
  local root = find_root(name)
  if vim.lsp.start ~= nil then
    vim.lsp.start(client_config(root), { bufnr = bufnr })
    return
  end
  local id = clients_by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if client == nil or client.is_stopped() then
    id = vim.lsp.start_client(client_config(root))
    if id == nil then
      return
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

--- Configure and install the autocommands; attaches to matching buffers already open.
---@param opts BklintOptions|nil
function M.setup(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  local group = vim.api.nvim_create_augroup('bklint', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
    group = group,
    pattern = M.options.patterns,
    -- nested: setting 'filetype' here must still run the FileType autocommands (syntax, ftplugin).
    nested = true,
    callback = function(args)
      M.attach(args.buf)
    end,
    desc = 'Start the bklint language server for buildkitd.toml files',
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      M.attach(bufnr)
    end
  end
end

M.setup(type(vim.g.bklint) == 'table' and vim.g.bklint or nil)

return M
