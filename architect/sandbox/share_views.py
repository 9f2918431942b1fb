"""Share, export and import the sandbox's design (issue #14.6).

``/sandbox/share/``: the design's share link, its exports and the import form. A link
(``/sandbox/open/?design=CODE``, see ``share``) opens a preview; its button (a POST)
puts the design in the learner's sandbox. ``/sandbox/export/<yaml|json|svg>/``: the
design as a file ``manage.py simulate`` runs, or its diagram. ``/sandbox/import/``: a
topology file into the sandbox, or every problem listed at its line.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from architect.sandbox import designs, keeping, share, transfer

SHARE_TEMPLATE = "sandbox/share.html"
OPEN_TEMPLATE = "sandbox/open.html"
FILE_NAME = "architect-design"


def share_link(request: HttpRequest, code: str) -> str:
    return request.build_absolute_uri(f"{reverse('sandbox:open')}?design={code}")


def _share_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    design = designs.current(request)
    code = share.encode(designs.named(design), design.seed)
    return {
        "link": share_link(request, code),
        "too_long": len(code) > share.MAX_CODE_CHARS,
        "code": code,
        "seed": design.seed,
        "rps": design.topology.traffic.rps,
        "diagram": designs.diagram(design.topology, design.seed),
        "max_file_kib": transfer.MAX_FILE_BYTES // 1024,
        **extra,
    }


@require_safe
def share_page(request: HttpRequest) -> HttpResponse:
    """The design's link, its exports and the import form."""
    return render(request, SHARE_TEMPLATE, _share_context(request))


def open_design(request: HttpRequest) -> HttpResponse:
    """GET: a shared design's preview (or why the link is refused, status 400);
    POST: the design into the learner's sandbox, then the sandbox."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("design", "")
    try:
        design = share.decode(code)
    except share.ShareError as error:
        refused = {"error": error.message, "problems": error.problems}
        return render(request, OPEN_TEMPLATE, refused, status=400)
    if request.method == "POST":
        designs.save(request, keeping.SANDBOX, design.topology, design.seed)
        return HttpResponseRedirect(reverse("sandbox:index"))
    context: dict[str, Any] = {
        "code": code,
        "seed": design.seed,
        "rps": design.topology.traffic.rps,
        "name": design.topology.name,
        "nodes": len(design.topology.nodes),
        "diagram": designs.diagram(design.topology, design.seed),
    }
    return render(request, OPEN_TEMPLATE, context)


@require_safe
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The sandbox's design as YAML or JSON (runnable with ``manage.py simulate``) or
    its diagram as SVG, as a download."""
    design = designs.current(request)
    if fmt == "svg":
        context = {"diagram": designs.diagram(design.topology, design.seed), "prefix": "export"}
        body = render_to_string("sandbox/diagram_file.svg", context, request=request)
        content_type = "image/svg+xml"
    else:
        body = transfer.export_text(designs.named(design), design.seed, fmt)
        content_type = transfer.FORMATS[fmt]
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAME}.{fmt}"'
    return response


@require_POST
def import_design(request: HttpRequest) -> HttpResponse:
    """A topology file into the sandbox (keeping the sandbox's seed), or the share page
    again with every problem at its line (status 400)."""
    upload = request.FILES.get("file")
    if upload is None:
        problems = [transfer.Problem(0, str(transfer.NO_FILE))]
    elif upload.size is not None and upload.size > transfer.MAX_FILE_BYTES:
        problems = transfer.too_large()
    else:
        try:
            topology = transfer.import_text(
                upload.read(transfer.MAX_FILE_BYTES + 1), upload.name or ""
            )
        except transfer.ImportProblems as error:
            problems = error.problems
        else:
            designs.save(request, keeping.SANDBOX, topology, designs.current(request).seed)
            return HttpResponseRedirect(reverse("sandbox:index"))
    name = upload.name if upload is not None else ""
    context = _share_context(request, import_problems=problems, import_name=name)
    return render(request, SHARE_TEMPLATE, context, status=400)
