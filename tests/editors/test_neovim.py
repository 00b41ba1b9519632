"""A real editor as the client: headless Neovim runs editors/nvim/bklint.lua on a bad
buildkitd.toml, and the test reads back the diagnostics Neovim holds, the buffer after
applying bklint's quick fix through Neovim's own LSP client, and the menu <C-x><C-o> shows
(the drop-in sets 'omnifunc' to the LSP's, which Neovim 0.7 does not do by itself)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim is not installed (CI installs the Debian package `neovim`)")

BAD = '[worker.oci]\n  max_parallelism = 4  # café 🐳\n  gc = "yes"\n'

# Runs inside Neovim. Uses only APIs present since 0.7 (Debian 12 ships 0.7.2).
SCRIPT = r"""
local out = vim.env.BKLINT_TEST_OUT
local function dump(name, value)
  local f = assert(io.open(out .. '/' .. name .. '.json', 'w'))
  f:write(vim.fn.json_encode(value))
  f:close()
end
local function diagnostics()
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(list, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message, source = d.source,
      code = d.code or lsp.code,
    })
  end
  table.sort(list, function(a, b) return a.lnum < b.lnum end)
  return list
end

vim.g.bklint = { cmd = { vim.env.BKLINT_PYTHON, '-m', 'bklint.linter', 'lsp' } }
dofile(vim.env.BKLINT_LUA)
vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.BKLINT_FILE))

local ok = vim.wait(30000, function() return #vim.diagnostic.get(0) >= 2 end, 50)
dump('before', { ok = ok, diagnostics = diagnostics(), clients = #vim.lsp.buf_get_clients(0) })

-- Ask bklint for the code actions on the unknown key and apply its quick fix.
local params = {
  textDocument = { uri = vim.uri_from_bufnr(0) },
  range = { start = { line = 1, character = 4 }, ['end'] = { line = 1, character = 4 } },
  context = { diagnostics = {} },
}
local responses = vim.lsp.buf_request_sync(0, 'textDocument/codeAction', params, 20000) or {}
local titles, applied = {}, false
for _, response in pairs(responses) do
  for _, action in ipairs(response.result or {}) do
    table.insert(titles, action.title)
    if not applied and action.title:find('^bklint %(BK101%)') and action.edit then
      vim.lsp.util.apply_workspace_edit(action.edit, 'utf-16')
      applied = true
    end
  end
end
local fixed = vim.wait(30000, function()
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.message:find('max_parallelism', 1, true) then return false end
  end
  return #vim.diagnostic.get(0) == 1
end, 50)
dump('after', {
  titles = titles, applied = applied, fixed = fixed,
  lines = vim.api.nvim_buf_get_lines(0, 0, -1, false), diagnostics = diagnostics(),
})

-- Omni completion as a user types it: a new line in [worker.oci], "ma", <C-x><C-o>. The menu
-- arrives asynchronously in Insert mode, so this part runs from the main loop (feedkeys) and
-- ends Neovim from the CompleteChanged autocommand, or from the timer if it never comes.
vim.o.completeopt = 'menuone,noinsert'
local finished = false
local function finish(words, timed_out)
  if finished then return end
  finished = true
  dump('omni', { omnifunc = vim.bo.omnifunc, words = words, timed_out = timed_out })
  vim.schedule(function() vim.cmd('qa!') end)
end
vim.api.nvim_create_autocmd('CompleteChanged', { callback = function()
  local words = {}
  for _, item in ipairs(vim.fn.complete_info({ 'items' }).items) do table.insert(words, item.word) end
  finish(words, false)
end })
vim.defer_fn(function() finish({}, true) end, 30000)
vim.api.nvim_win_set_cursor(0, { 3, 0 })
vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('oma<C-x><C-o>', true, false, true), 'n', false)
"""


def test_neovim_shows_diagnostics_applies_the_quick_fix_and_omni_completes(tmp_path: Path) -> None:
    lua = REPO / "editors" / "nvim" / "bklint.lua"
    assert lua.is_file()
    config = tmp_path / "buildkitd.toml"
    config.write_text(BAD, encoding="utf-8")
    script = tmp_path / "drive.lua"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "BKLINT_TEST_OUT": str(tmp_path),
        "BKLINT_PYTHON": sys.executable,
        "BKLINT_LUA": str(lua),
        "BKLINT_FILE": str(config),
    }
    assert NVIM is not None
    proc = subprocess.run(
        [NVIM, "--headless", "--clean", "-c", f"luafile {script}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (tmp_path / "omni.json").is_file(), f"nvim exited {proc.returncode}: {proc.stderr[-2000:]}"
    before = json.loads((tmp_path / "before.json").read_text())
    after = json.loads((tmp_path / "after.json").read_text())

    assert before["ok"] and before["clients"] == 1
    assert [(d["code"], d["lnum"], d["col"], d["end_col"]) for d in before["diagnostics"]] == [
        ("BK101", 1, 2, 17),
        ("BK004", 2, 7, 12),
    ]
    assert all(d["source"] == "bklint" for d in before["diagnostics"])
    assert before["diagnostics"][0]["severity"] == 2  # warning
    assert before["diagnostics"][1]["severity"] == 1  # error

    omni = json.loads((tmp_path / "omni.json").read_text())
    assert omni["omnifunc"] == "v:lua.vim.lsp.omnifunc"
    assert not omni["timed_out"], "<C-x><C-o> showed no completion menu"
    assert "maxUsedSpace = " in omni["words"]  # the key and its `=`, as the server inserts it
    assert not [w for w in omni["words"] if w.startswith("max-parallelism")]  # already written

    assert "bklint (BK101): rename to max-parallelism" in after["titles"]
    assert "Disable BK101 for this line" in after["titles"]
    assert after["applied"] and after["fixed"]
    assert after["lines"] == ["[worker.oci]", "  max-parallelism = 4  # café 🐳", '  gc = "yes"']
    assert [d["code"] for d in after["diagnostics"]] == ["BK004"]
