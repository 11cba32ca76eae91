"""Projects from the blocking client: filing a generated track and finding it by project."""

from __future__ import annotations

from musicverse import NULL, CreateProjectInput, GenerateTrackInput, JobStatus, MusicVerse, UpdateProjectInput, UpdateTrackInput


def test_files_a_track_in_a_project_and_lists_it_there(base_url: str, new_user_key: str) -> None:
    with MusicVerse(base_url=base_url, api_key=new_user_key) as client:
        job = client.generate_track(GenerateTrackInput(prompt="a harp arpeggio", duration_seconds=5))
        done = list(client.job_progress(job.id))[-1]
        assert done.status is JobStatus.SUCCEEDED
        finished = client.job(job.id)
        assert finished is not None and finished.track is not None

        project = client.create_project(CreateProjectInput(name="Harps"))
        assert project.track_count == 0
        filed = client.update_track(finished.track.id, UpdateTrackInput(project_id=project.id))
        assert filed.project is not None and filed.project.name == "Harps"
        assert [t.id for t in client.iterate_tracks(project_id=project.id)] == [finished.track.id]

        renamed = client.update_project(project.id, UpdateProjectInput(name="Harp studies"), expected_revision=project.revision)
        assert renamed.name == "Harp studies" and renamed.track_count == 1
        assert [p.name for p in client.iterate_projects()] == ["Harp studies"]

        assert client.delete_project(project.id) == project.id
        assert client.project(project.id) is None
        track = client.track(finished.track.id)
        assert track is not None and track.project is None


def test_takes_a_track_out_of_its_project_with_null(base_url: str, new_user_key: str) -> None:
    with MusicVerse(base_url=base_url, api_key=new_user_key) as client:
        job = client.generate_track(GenerateTrackInput(prompt="a cello line", style="baroque", duration_seconds=5))
        list(client.job_progress(job.id))
        finished = client.job(job.id)
        assert finished is not None and finished.track is not None
        project = client.create_project(CreateProjectInput(name="Strings"))
        client.update_track(finished.track.id, UpdateTrackInput(project_id=project.id))
        # None leaves a field as it is; NULL sends null, which clears it.
        kept = client.update_track(finished.track.id, UpdateTrackInput(title="Cello", project_id=None))
        assert kept.project is not None and kept.style == "baroque"
        cleared = client.update_track(finished.track.id, UpdateTrackInput(project_id=NULL, style=NULL))
        assert cleared.project is None and cleared.style is None
        assert repr(NULL) == "NULL"
