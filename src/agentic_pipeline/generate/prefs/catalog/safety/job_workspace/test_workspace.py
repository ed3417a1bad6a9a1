import shutil

from workspace import job_workspace


def test_empty_writable_folder_named_after_the_job():
    folder = job_workspace("build-7731")
    try:
        assert folder.is_dir() and not any(folder.iterdir())
        assert "build-7731" in folder.name
        (folder / "out.txt").write_text("artefact")
    finally:
        shutil.rmtree(folder)


def test_jobs_get_separate_folders():
    a, b = job_workspace("job-a"), job_workspace("job-b")
    try:
        assert a != b
    finally:
        shutil.rmtree(a)
        shutil.rmtree(b)
