"""A real editor: headless Neovim runs `factoryspec lsp` on a broken spec.

Skipped (with the reason printed) when `nvim` is not on PATH; Debian's
package `neovim` provides it. Works with Neovim 0.7 (vim.lsp.start_client)
and 0.8+ (vim.lsp.start).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

INIT_LUA = r"""
local python, out = vim.env.FAC_PYTHON, vim.env.FAC_OUT

vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
  pattern = "*.fac",
  callback = function() vim.bo.filetype = "fac" end,
})

vim.api.nvim_create_autocmd("FileType", {
  pattern = "fac",
  callback = function(args)
    local config = {
      name = "factoryspec",
      cmd = { python, "-m", "factoryspec", "lsp" },
      root_dir = vim.fn.getcwd(),
    }
    if vim.lsp.start then
      vim.lsp.start(config)
    else  -- Neovim 0.7
      local id = vim.lsp.start_client(config)
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})

vim.api.nvim_create_autocmd("VimEnter", {
  callback = function()
    local ok = vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 50)
    local found = {}
    for _, d in ipairs(vim.diagnostic.get(0)) do
      table.insert(found, { lnum = d.lnum, col = d.col, message = d.message, source = d.source })
    end
    vim.fn.writefile({ vim.fn.json_encode({ ok = ok, diagnostics = found }) }, out)
    vim.cmd("qa!")
  end,
})
"""

PREFIX = '  location = "Zürich 🚀"; pue '
BROKEN = f"site s1 {{\n  land = 10 acre\n{PREFIX}1.3\n}}\n"


def test_neovim_shows_the_syntax_diagnostic(tmp_path):
    nvim = shutil.which("nvim")
    if nvim is None:
        reason = "nvim is not on PATH (install the Debian package `neovim`)"
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    (tmp_path / "init.lua").write_text(INIT_LUA, encoding="utf-8")
    (tmp_path / "broken.fac").write_text(BROKEN, encoding="utf-8")
    out = tmp_path / "diagnostics.json"
    env = {**os.environ, "FAC_PYTHON": sys.executable, "FAC_OUT": str(out),
           **{f"XDG_{d}_HOME": str(tmp_path / d.lower()) for d in ("CONFIG", "DATA", "STATE", "CACHE")}}
    proc = subprocess.run([nvim, "--headless", "--noplugin", "-n", "-i", "NONE", "-u", str(tmp_path / "init.lua"),
                           "broken.fac"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert out.exists(), f"nvim wrote no result (exit {proc.returncode}): {proc.stdout}{proc.stderr}"
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["ok"], result
    syntax = [d for d in result["diagnostics"] if "unexpected" in d["message"]]
    assert syntax, result
    assert syntax[0]["lnum"] == 2                                   # 0-based: the third line
    assert syntax[0]["col"] == len(PREFIX.encode("utf-8"))         # Neovim columns are bytes
    assert syntax[0]["source"] == "factoryspec"
