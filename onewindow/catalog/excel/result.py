"""What an import reports: the errors naming sheet, row and column, and the codes it changed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = "、".join(
            p
            for p in (self.sheet and f"「{self.sheet}」表", self.row and f"第{self.row}行", self.column)
            if p
        )
        return f"{where}：{self.message}" if where else self.message


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    new_drafts: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        if self.errors:
            return f"导入失败：发现 {len(self.errors)} 处错误，没有导入任何内容。"
        parts = [f"新建事项 {len(self.created)} 个", f"新建版本 {len(self.new_drafts)} 个"]
        if self.unchanged:
            parts.append(f"内容未变化 {len(self.unchanged)} 个")
        if self.published:
            parts.append(f"已发布 {len(self.published)} 个")
        return "导入完成：" + "，".join(parts) + "。"
